using System.Text.RegularExpressions;

namespace PromotionBot.Policy;

/// <summary>
/// Kubernetes name rules for the policy values that reach PromQL, branch names, labels and PR text. Checking them at
/// load time keeps a bad value inside its own canary: it never reaches a query that other canaries share.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>RFC 1123 label: namespaces, Services, Istio subsets, canary names.</summary>
    public const string LabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>RFC 1123 subdomain: metadata.name of most objects (a VirtualService may contain dots).</summary>
    public const string SubdomainPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>Kubernetes label value (a pod's version label): may also hold '_', '.' and capitals, or be empty.</summary>
    public const string LabelValuePattern = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

    public const int LabelMaxLength = 63;

    public const int SubdomainMaxLength = 253;

    [GeneratedRegex(LabelPattern)]
    private static partial Regex Label();

    [GeneratedRegex(SubdomainPattern)]
    private static partial Regex Subdomain();

    [GeneratedRegex(LabelValuePattern)]
    private static partial Regex LabelValue();

    public static bool IsLabelValue(string value) => value.Length <= LabelMaxLength && LabelValue().IsMatch(value);

    public static string LabelValueRule => $"a Kubernetes label value: at most {LabelMaxLength} letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

    public static bool IsLabel(string value) => value.Length <= LabelMaxLength && Label().IsMatch(value);

    public static bool IsSubdomain(string value) => value.Length <= SubdomainMaxLength && Subdomain().IsMatch(value);

    public static string LabelRule => $"a DNS-1123 label: at most {LabelMaxLength} lowercase letters, digits and '-', starting and ending with a letter or digit";

    public static string SubdomainRule => $"a DNS-1123 subdomain: at most {SubdomainMaxLength} characters, lowercase letters, digits, '-' and '.'";
}
