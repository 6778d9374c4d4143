using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace PromotionBot.Manifest;

/// <summary>Finds one VirtualService http route in parsed documents and validates its weights, naming lines on failure.</summary>
internal static partial class VirtualServiceLocator
{
    public static LocatedRoute Locate(string path, IReadOnlyList<YamlNode> documents, string vsName, string? routeName,
        string stable, string canary)
    {
        var (document, vs) = FindVirtualService(path, documents, vsName);
        var where = $"VirtualService '{vsName}'";
        var spec = vs.Get("spec") as YamlMapping
            ?? throw Error(path, vs.Get("spec") ?? vs, $"{where} has no spec mapping");
        var httpPair = spec.Pair("http");
        var http = httpPair?.Value as YamlSequence
            ?? throw Error(path, httpPair?.Key ?? vs.Pair("spec")!.Key, $"{where} has no spec.http list of routes");

        var routes = http.Items.Select(item => item as YamlMapping
            ?? throw Error(path, item, $"{where}: each spec.http entry must be a mapping")).ToList();
        var route = routeName is null
            ? SelectBySubsets(path, httpPair!.Key, routes, where, stable, canary)
            : SelectByName(path, httpPair!.Key, routes, where, routeName);

        var destinations = ReadDestinations(path, route, where);
        foreach (var subset in new[] { stable, canary })
        {
            if (!destinations.Any(d => d.Subset == subset))
            {
                throw Error(path, route, $"{where}: subset '{subset}' is missing from the selected http route " +
                    $"(its destinations name: {string.Join(", ", destinations.Select(d => d.Subset))})");
            }
        }
        var located = new LocatedRoute(document, route, destinations);
        var sum = destinations.Sum(d => d.Weight);
        if (sum != 100)
        {
            throw Error(path, route, $"{where}: route weights sum to {sum} ({located.Describe()}), they must sum to 100");
        }
        return located;
    }

    private static (int Document, YamlMapping Vs) FindVirtualService(string path, IReadOnlyList<YamlNode> documents, string vsName)
    {
        var found = new List<(int Document, YamlMapping Vs, string Name)>();
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is YamlMapping root && Text(root.Get("kind")) == "VirtualService")
            {
                found.Add((i, root, Text((root.Get("metadata") as YamlMapping)?.Get("name")) ?? "(unnamed)"));
            }
        }
        var matches = found.Where(f => f.Name == vsName).ToList();
        if (matches.Count == 0)
        {
            var seen = found.Count == 0 ? "the file holds no VirtualService" : $"VirtualServices found: {string.Join(", ", found.Select(f => f.Name))}";
            throw new RepoFileException(path, 0, 0, $"no VirtualService named '{vsName}' ({seen})");
        }
        if (matches.Count > 1)
        {
            throw Error(path, matches[1].Vs, $"more than one VirtualService named '{vsName}' in the file");
        }
        return (matches[0].Document, matches[0].Vs);
    }

    private static YamlMapping SelectByName(string path, YamlNode http, List<YamlMapping> routes, string where, string routeName)
    {
        var named = routes.Where(r => Name(r) == routeName).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw Error(path, http, $"{where} has no http route named '{routeName}' (route names: " +
                $"{string.Join(", ", routes.Select(r => Name(r) ?? "(unnamed)"))})"),
            _ => throw Error(path, named[1], $"{where} has more than one http route named '{routeName}'"),
        };
    }

    private static YamlMapping SelectBySubsets(string path, YamlNode http, List<YamlMapping> routes, string where,
        string stable, string canary)
    {
        var both = routes.Where(r =>
        {
            var subsets = SubsetsOf(r);
            return subsets.Contains(stable) && subsets.Contains(canary);
        }).ToList();
        return both.Count switch
        {
            1 => both[0],
            0 => throw Error(path, http, $"{where} has no http route whose destinations name both subsets '{stable}' and '{canary}'"),
            _ => throw Error(path, both[1], $"{where} has {both.Count} http routes naming both subsets '{stable}' and '{canary}' " +
                $"(lines {string.Join(", ", both.Select(r => r.Start.Line))}); ambiguous: name the route in the policy (virtualService.route)"),
        };
    }

    private static HashSet<string> SubsetsOf(YamlMapping route) =>
        ((route.Get("route") as YamlSequence)?.Items ?? [])
            .OfType<YamlMapping>()
            .Select(item => Text((item.Get("destination") as YamlMapping)?.Get("subset")))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    private static List<LocatedDestination> ReadDestinations(string path, YamlMapping route, string where)
    {
        var list = route.Get("route") as YamlSequence;
        if (list is null || list.Items.Count == 0)
        {
            throw Error(path, route.Get("route") ?? route, $"{where}: the selected http route has no route destinations");
        }
        var result = new List<LocatedDestination>();
        string? firstHost = null;
        foreach (var node in list.Items)
        {
            if (node is YamlAliasNode || node.Anchor is not null)
            {
                throw Error(path, node, $"{where}: anchors/aliases in route destinations are not supported (an edit would change several places)");
            }
            var item = node as YamlMapping ?? throw Error(path, node, $"{where}: a route destination must be a mapping");
            var destinationPair = Single(path, item, "destination", where)
                ?? throw Error(path, item, $"{where}: route entry has no destination");
            var destination = destinationPair.Value as YamlMapping
                ?? throw Error(path, destinationPair.Value, $"{where}: destination must be a mapping with host and subset");
            var subset = Text(destination.Get("subset"))
                ?? throw Error(path, destination, $"{where}: destination has no subset; the bot shifts traffic between subsets only");
            var host = Text(destination.Get("host"));
            firstHost ??= host;
            if (host != firstHost)
            {
                throw Error(path, destination.Get("host") ?? destination,
                    $"{where}: destination host '{host}' differs from '{firstHost}'; the bot shifts weight between subsets of one host");
            }
            if (result.Any(d => d.Subset == subset))
            {
                throw Error(path, destination.Get("subset")!, $"{where}: subset '{subset}' appears twice in the route");
            }
            var weightPair = Single(path, item, "weight", where);
            var weightNode = weightPair is null ? null : WeightScalar(path, weightPair.Value, subset);
            var weight = weightNode is null ? (list.Items.Count == 1 ? 100 : 0) : ParseWeight(path, weightNode, subset);
            result.Add(new LocatedDestination(subset, item, (YamlScalar)destinationPair.Key, weightNode, weight));
        }
        return result;
    }

    private static YamlPair? Single(string path, YamlMapping map, string key, string where)
    {
        var pairs = map.PairsNamed(key).ToList();
        return pairs.Count > 1 ? throw Error(path, pairs[1].Key, $"{where}: duplicate key '{key}'") : pairs.FirstOrDefault();
    }

    private static YamlScalar WeightScalar(string path, YamlNode node, string subset)
    {
        if (node is not YamlScalar scalar || node.Anchor is not null)
        {
            throw Error(path, node, $"weight of subset '{subset}' must be a plain integer (no anchor, alias or collection)");
        }
        // Istio's CRD schema types weight as an integer (int32), so the API server rejects "80"; quoting is an error, not a style to keep.
        if (scalar.Style != ScalarStyle.Plain)
        {
            throw Error(path, node, $"weight of subset '{subset}' is quoted ({scalar.Style}); Istio's schema types weight as an integer: write it unquoted");
        }
        if (scalar.Tag is not null and not "tag:yaml.org,2002:int")
        {
            throw Error(path, node, $"weight of subset '{subset}' has tag '{scalar.Tag}'; it must be an integer");
        }
        return scalar;
    }

    private static int ParseWeight(string path, YamlScalar scalar, string subset)
    {
        var text = scalar.Value;
        if (!IntegerPattern().IsMatch(text))
        {
            throw Error(path, scalar, $"weight of subset '{subset}' is '{text}', not an integer");
        }
        if (text.Length > 1 && text[0] == '0')
        {
            throw Error(path, scalar, $"weight of subset '{subset}' is '{text}': a leading zero makes YAML 1.1 read it as octal; write it without");
        }
        if (text[0] == '-')
        {
            throw Error(path, scalar, $"weight of subset '{subset}' is {text}: weights cannot be negative");
        }
        if (text.Length > 3 || int.Parse(text, CultureInfo.InvariantCulture) > 100)
        {
            throw Error(path, scalar, $"weight of subset '{subset}' is {text}: weights are percentages, at most 100");
        }
        return int.Parse(text, CultureInfo.InvariantCulture);
    }

    private static string? Text(YamlNode? node) => (node as YamlScalar)?.Value;

    /// <summary>A route's name; `name: ~` / `name: null` / `name:` mean no name, as for Kubernetes.</summary>
    private static string? Name(YamlMapping route) =>
        route.Get("name") is YamlScalar { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" } ? null : Text(route.Get("name"));

    internal static RepoFileException Error(string path, YamlNode at, string problem) =>
        new(path, at.Start.Line, at.Start.Column, problem);

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex IntegerPattern();
}
