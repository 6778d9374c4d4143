using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromotionBot.Cli;
using PromotionBot.Hosting;
using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Worker;

/// <summary>bot/deploy against the program: the port it listens on, the paths it serves, the arguments and keys it reads.</summary>
public sealed class DeployManifestTests
{
    private static async Task<(IReadOnlyList<JsonObject> All, JsonObject Pod, JsonObject Container)> DeployAsync()
    {
        var all = await DeployManifests.RenderAsync("bot/deploy");
        var pod = all.Single("Deployment", "promotion-bot")["spec"]!["template"]!.AsObject();
        var container = pod["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == "promotion-bot")!.AsObject();
        return (all, pod, container);
    }

    private static IEnumerable<JsonObject> Env(JsonObject container) => container["env"]!.AsArray().Select(e => e!.AsObject());

    [Fact]
    public async Task Ports_probes_and_scrape_annotations_name_what_the_program_serves()
    {
        var (all, pod, container) = await DeployAsync();

        var port = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http")!;
        var listen = new Uri((string)Env(container).Single(e => (string?)e["name"] == "ASPNETCORE_URLS")["value"]!);
        Assert.Equal((string)port["containerPort"]!, listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.0.0.0", listen.Host);

        Assert.Equal(WorkerEndpoints.Health, (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal(WorkerEndpoints.Ready, (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("http", (string?)container["readinessProbe"]!["httpGet"]!["port"]);

        var annotations = pod["metadata"]!["annotations"]!;
        Assert.Equal(WorkerEndpoints.Metrics, (string?)annotations["prometheus.io/path"]);
        Assert.Equal(listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)annotations["prometheus.io/port"]);

        var service = all.Single("Service", "promotion-bot");
        Assert.Equal("http", (string?)service["spec"]!["ports"]![0]!["targetPort"]);
    }

    [Fact]
    public async Task Arguments_start_the_worker()
    {
        var (_, _, container) = await DeployAsync();
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToArray();

        Assert.Equal("run", args[0]);
        Assert.DoesNotContain("--once", args);
        // The same arguments with no configuration reach the service's configuration check, not a usage error.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, await BotCli.InvokeAsync([.. args, "--urls=http://127.0.0.1:0"], stdout, stderr));
        Assert.StartsWith("Invalid configuration:", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_configuration_key_and_secret_reference_is_read_by_the_program()
    {
        var (all, pod, container) = await DeployAsync();
        var configMap = all.Single("ConfigMap", (string)container["envFrom"]![0]!["configMapRef"]!["name"]!);
        var values = configMap["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        var fromSecret = new List<(string Env, string Key)>();
        foreach (var e in Env(container))
        {
            var name = (string)e["name"]!;
            if (e["valueFrom"]?["secretKeyRef"] is { } secret)
            {
                // GitHub credentials, and the Alertmanager webhook token (docs/cluster.md) in a Secret of its own.
                Assert.Equal(name == "Alerting__WebhookToken" ? "promotion-bot-alerting" : "promotion-bot-github", (string?)secret["name"]);
                fromSecret.Add((name, (string)secret["key"]!));
                values[name] = "1";
            }
            else if (e["valueFrom"]?["fieldRef"] is { } field)
            {
                // Downward API: the pod's own name and namespace (leader election identity and Lease namespace).
                values[name] = (string?)field["fieldPath"];
            }
            else
            {
                values[name] = (string?)e["value"];
            }
        }

        // Framework keys: the listening address (checked against the port above) and the console log format.
        values.Remove("ASPNETCORE_URLS");
        Assert.Contains(values["Logging__Console__FormatterName"], new[] { "json", "simple", "systemd" });
        values.Remove("Logging__Console__FormatterName");

        var source = new RecordingSource(values.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value));
        var config = new ConfigurationBuilder().Add(source).Build();
        try
        {
            using var provider = new ServiceCollection().AddPromotionBot(config).BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException)
        {
            // Only which keys are read matters here (a token and App ids at once are, rightly, a problem).
        }

        var problems = new List<string>();
        WorkerOptions.Read(config).TryBuild(problems);
        Assert.Empty(problems);
        // Cluster keys, and POD_NAME/POD_NAMESPACE/KUBECONFIG, which it reads from the environment (here: the same values).
        PromotionBot.Cluster.ClusterSettings.Load(config, key => config[key]);
        PromotionBot.Cluster.AlertmanagerWebhook.Token(config);

        Assert.All(values.Keys, key => Assert.True(source.Read.Contains(key.Replace("__", ":", StringComparison.Ordinal)),
            $"{key} is set in bot/deploy but the program never reads it"));
        Assert.Equal(["Alerting__WebhookToken", "GitHub__Token", "GitHub__AppId", "GitHub__InstallationId"], fromSecret.Select(s => s.Env));
        Assert.Equal(["webhook-token", "token", "app-id", "installation-id"], fromSecret.Select(s => s.Key));

        // The App key is a file: the Secret's private-key.pem projected where GitHub__PrivateKeyPath points.
        var keyPath = values["GitHub__PrivateKeyPath"]!;
        var volume = pod["spec"]!["volumes"]!.AsArray().Single(v => v!["secret"] is not null)!;
        var mount = container["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)volume["name"])!;
        var item = volume["secret"]!["items"]!.AsArray().Single()!;
        Assert.Equal("promotion-bot-github", (string?)volume["secret"]!["secretName"]);
        Assert.Equal("private-key.pem", (string?)item["key"]);
        Assert.Equal(keyPath, $"{(string)mount["mountPath"]!}/{(string)item["path"]!}");
    }

    [Fact]
    public async Task Root_filesystem_is_read_only_and_the_git_cache_and_tmp_are_empty_dirs()
    {
        var (all, pod, container) = await DeployAsync();
        var configMap = all.Single("ConfigMap", "promotion-bot");
        var emptyDirs = pod["spec"]!["volumes"]!.AsArray().Where(v => v!["emptyDir"] is not null).Select(v => (string)v!["name"]!).ToHashSet();
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["mountPath"]!, m => (string)m!["name"]!);

        Assert.Equal("true", (string?)container["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.Equal("true", (string?)pod["spec"]!["securityContext"]!["runAsNonRoot"]);
        Assert.Contains(mounts["/tmp"], emptyDirs);
        Assert.Contains(mounts[(string)configMap["data"]!["Git__CacheDirectory"]!], emptyDirs);
    }

    private sealed class RecordingSource(IDictionary<string, string?> data) : IConfigurationSource
    {
        public HashSet<string> Read { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this, data);

        private sealed class Provider : ConfigurationProvider
        {
            private readonly RecordingSource source;

            public Provider(RecordingSource source, IDictionary<string, string?> data)
            {
                this.source = source;
                Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
            }

            public override bool TryGet(string key, out string? value)
            {
                source.Read.Add(key);
                return base.TryGet(key, out value);
            }
        }
    }
}
