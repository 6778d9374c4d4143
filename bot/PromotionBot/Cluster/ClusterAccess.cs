using k8s;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Cluster;

/// <summary>A Kubernetes API client and where its configuration came from (for the startup log).</summary>
public sealed record ClusterConnection(IKubernetes Client, string Source);

/// <summary>
/// Finds the cluster: in-cluster configuration inside a pod, otherwise the kubeconfig that Cluster:Kubeconfig or
/// KUBECONFIG names. With neither (or Cluster:Enabled=false) there is no connection, and gating and leader election
/// are off: the bot then behaves exactly like the cluster-free CLI.
/// </summary>
public static class ClusterAccess
{
    /// <summary>Null when the cluster is off or not configured; logs the outcome once, either way.</summary>
    public static ClusterConnection? Connect(ClusterSettings settings, ILogger logger)
    {
        if (!settings.Enabled)
        {
            logger.LogInformation("Cluster access disabled (Cluster:Enabled=false): Argo CD sync gating and leader election are off.");
            return null;
        }

        KubernetesClientConfiguration config;
        string source;
        if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
            source = "in-cluster service account";
        }
        else if (settings.Kubeconfig is { } kubeconfig)
        {
            // KUBECONFIG may list several files; like kubectl, the first that exists is used here.
            var file = kubeconfig.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(File.Exists);
            if (file is null)
            {
                logger.LogWarning("Cluster access off: the kubeconfig {Kubeconfig} does not exist; Argo CD sync gating and leader election are off.", kubeconfig);
                return null;
            }

            try
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(file);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning("Cluster access off: the kubeconfig {Kubeconfig} is unusable ({Error}); Argo CD sync gating and leader election are off.", file, ex.Message);
                return null;
            }

            source = $"kubeconfig {file} ({config.Host})";
        }
        else
        {
            logger.LogInformation("No cluster: not in a pod and no kubeconfig (KUBECONFIG or Cluster:Kubeconfig); Argo CD sync gating and leader election are off.");
            return null;
        }

        logger.LogInformation("Cluster access through {Source}: Argo CD sync gating on.", source);
        return new ClusterConnection(new Kubernetes(config), source);
    }
}
