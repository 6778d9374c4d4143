using System.Globalization;
using Microsoft.Extensions.Configuration;
using PromotionBot.Configuration;
using PromotionBot.Policy;

namespace PromotionBot.Cluster;

/// <summary>Cluster:*, ArgoCd:* and LeaderElection:* keys, validated together.</summary>
/// <param name="Enabled">Cluster:Enabled (default true); false turns gating and leader election off.</param>
/// <param name="Kubeconfig">Cluster:Kubeconfig, else the KUBECONFIG environment variable; used outside a pod.</param>
/// <param name="ArgoCdNamespace">ArgoCd:Namespace: where the Argo CD Applications live (default argocd).</param>
public sealed record ClusterSettings(bool Enabled, string? Kubeconfig, string ArgoCdNamespace, LeaderElectionSettings LeaderElection)
{
    public const string DefaultArgoCdNamespace = "argocd";

    /// <summary>Reads the keys; <paramref name="environment"/> supplies KUBECONFIG, POD_NAME, POD_NAMESPACE (tests pass their own).</summary>
    /// <exception cref="SettingsException">One line per invalid key.</exception>
    public static ClusterSettings Load(IConfiguration config, Func<string, string?> environment)
    {
        var problems = new List<string>();
        var enabled = Bool(config, "Cluster:Enabled", problems) ?? true;
        var kubeconfig = Value(config, "Cluster:Kubeconfig") ?? NonEmpty(environment("KUBECONFIG"));
        var argoNamespace = Value(config, "ArgoCd:Namespace") ?? DefaultArgoCdNamespace;

        var duration = TimeSpan.FromSeconds(15);
        if (Value(config, "LeaderElection:LeaseDuration") is { } text)
        {
            if ((Durations.TryParse(text, out var parsed) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out parsed)) && parsed >= TimeSpan.FromSeconds(1))
            {
                duration = parsed;
            }
            else
            {
                problems.Add($"LeaderElection:LeaseDuration must be a duration of at least 1s such as 15s, got '{text}'.");
            }
        }

        var election = new LeaderElectionSettings(
            Bool(config, "LeaderElection:Enabled", problems),
            Value(config, "LeaderElection:LeaseName") ?? LeaderElectionSettings.DefaultLeaseName,
            Value(config, "LeaderElection:Namespace") ?? PodNamespace(environment),
            duration,
            Value(config, "LeaderElection:Identity") ?? NonEmpty(environment("POD_NAME")) ?? Environment.MachineName);

        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }

        return new ClusterSettings(enabled, kubeconfig, argoNamespace, election);
    }

    /// <summary>The service account's namespace file inside a pod, POD_NAMESPACE (downward API), else default.</summary>
    private static string PodNamespace(Func<string, string?> environment)
    {
        if (NonEmpty(environment("POD_NAMESPACE")) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        const string serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        try
        {
            if (File.Exists(serviceAccountNamespace) && NonEmpty(File.ReadAllText(serviceAccountNamespace)) is { } fromFile)
            {
                return fromFile;
            }
        }
        catch (IOException)
        {
            // Unreadable: fall through to the default like an absent file.
        }

        return "default";
    }

    private static bool? Bool(IConfiguration config, string key, List<string> problems)
    {
        var value = Value(config, key);
        if (value is null)
        {
            return null;
        }

        if (bool.TryParse(value, out var result))
        {
            return result;
        }

        problems.Add($"{key} must be true or false, got '{value}'.");
        return null;
    }

    private static string? Value(IConfiguration config, string key) => NonEmpty(config[key]);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <param name="Enabled">LeaderElection:Enabled; null = on whenever the cluster is reachable.</param>
/// <param name="LeaseName">LeaderElection:LeaseName (default promotion-bot).</param>
/// <param name="Namespace">LeaderElection:Namespace (default the pod's namespace, else default).</param>
/// <param name="LeaseDuration">LeaderElection:LeaseDuration (default 15s): how long a dead leader blocks the others.</param>
/// <param name="Identity">LeaderElection:Identity, else POD_NAME, else the host name; must differ between replicas.</param>
public sealed record LeaderElectionSettings(bool? Enabled, string LeaseName, string Namespace, TimeSpan LeaseDuration, string Identity)
{
    public const string DefaultLeaseName = "promotion-bot";

    /// <summary>Renewals must succeed within this, or the leader stops acting (well before others may take over).</summary>
    public TimeSpan RenewDeadline => LeaseDuration * 2 / 3;

    /// <summary>How often the leader renews and the others look (client-go's 15s/10s/2s ratio).</summary>
    public TimeSpan RetryPeriod => LeaseDuration * 2 / 15;
}
