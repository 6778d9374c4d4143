using System.CommandLine;
using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using PromotionBot.Reporting;

namespace PromotionBot.Cli;

/// <summary><c>analyze --repo DIR --prometheus URL [--at TIME] [--format table|json]</c>: judge every canary once, change nothing.</summary>
internal static class AnalyzeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var repo = new Option<string>("--repo") { Description = "GitOps repository checkout to read policies and VirtualServices from", DefaultValueFactory = _ => "." };
        var prometheus = new Option<string>("--prometheus") { Description = "Prometheus base URL (also Thanos/Mimir query frontends)", Required = true };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Evaluation time, RFC 3339 with zone (default: now); the same time and data give the same answer", CustomParser = Rfc3339.Parse };
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var bearer = new Option<string?>("--prometheus-bearer-token-file") { Description = "File holding a bearer token for Prometheus" };
        var basic = new Option<string?>("--prometheus-basic-auth") { Description = "user:password for Prometheus basic auth (or set PROMETHEUS_BASIC_AUTH)" };
        var timeout = new Option<int>("--prometheus-timeout") { Description = "Per-query timeout in seconds", DefaultValueFactory = _ => 30 };
        var timeScale = new Option<double>("--time-scale")
        {
            Description = "Divide every policy duration (window, interval, maxStaleness) by this, for demos on compressed time (at least 1)",
            DefaultValueFactory = _ => PolicyTimeScale.None,
        };
        timeScale.Validators.Add(result =>
        {
            if (PolicyTimeScale.Problem(result.GetValueOrDefault<double>(), "--time-scale") is { } problem)
            {
                result.AddError(problem);
            }
        });

        var command = new Command("analyze", "Judge every canary of the repository on Prometheus and print the decisions; changes nothing")
        {
            repo, prometheus, at, format, bearer, basic, timeout, timeScale,
        };

        command.Validators.Add(result =>
        {
            if (result.GetValue(prometheus) is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                result.AddError($"--prometheus must be an http(s) URL, got '{url}'");
            }

            if (result.GetValue(repo) is { } dir && !Directory.Exists(dir))
            {
                result.AddError($"--repo '{dir}' is not a directory");
            }
        });

        command.SetAction(async (parse, ct) =>
        {
            var when = parse.GetValue(at) ?? time.GetUtcNow();
            var scale = parse.GetValue(timeScale);
            if (scale != PolicyTimeScale.None)
            {
                await stderr.WriteLineAsync("warning: " + PolicyTimeScale.Warning(scale, "--time-scale"));
            }

            if (parse.GetValue(basic) is not null)
            {
                await stderr.WriteLineAsync("warning: --prometheus-basic-auth puts a password on the command line, where other users of this machine can read it; set PROMETHEUS_BASIC_AUTH instead.");
            }

            var basicAuth = parse.GetValue(basic) ?? Environment.GetEnvironmentVariable("PROMETHEUS_BASIC_AUTH");
            string? user = null, password = null;
            if (basicAuth is { } ba)
            {
                var colon = ba.IndexOf(':', StringComparison.Ordinal);
                (user, password) = colon < 0 ? (ba, "") : (ba[..colon], ba[(colon + 1)..]);
            }

            var token = parse.GetValue(bearer) is { } tokenFile ? (await File.ReadAllTextAsync(tokenFile, ct)).Trim() : null;
            var options = new PrometheusOptions
            {
                Url = parse.GetValue(prometheus),
                BearerToken = token,
                BasicAuthUser = user,
                BasicAuthPassword = password,
                TimeoutSeconds = parse.GetValue(timeout),
            };
            using var http = new HttpClient();
            var analyzer = new CanaryAnalyzer(new SignalReader(new PrometheusClient(http, options, time)), scale);
            var run = await analyzer.AnalyzeAsync(Path.GetFullPath(parse.GetValue(repo)!), when, ct);

            await stdout.WriteAsync(parse.GetValue(format) == "json" ? JsonReport.Render(run) + Environment.NewLine : TableReport.Render(run));
            foreach (var failed in run.Canaries.Where(c => c.Error is not null))
            {
                await stderr.WriteLineAsync($"error: {failed.Error}");
            }

            foreach (var blind in run.Canaries.Where(c => c.Signals?.Unavailable is not null))
            {
                await stderr.WriteLineAsync($"error: {blind.Name}: metrics unavailable, holding: {blind.Signals!.Unavailable}");
            }

            if (run.Canaries.Count == 0)
            {
                await stderr.WriteLineAsync("warning: no promotion-policy.yaml found under apps/");
            }

            return run.HasErrors ? 1 : 0;
        });
        return command;
    }
}
