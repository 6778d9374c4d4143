using System.Globalization;
using System.Text.Json.Nodes;

namespace TestServers.ArgoCd;

/// <summary>One sync pass: Applications from the root path, then each synced Application's objects and status.</summary>
public sealed partial class ArgoCdStandIn
{
    private const string ArgoGroup = "argoproj.io";
    private const string ArgoVersion = "v1alpha1";
    private const string TrackingAnnotation = "argocd.argoproj.io/tracking-id";
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";
    private const int HistoryLimit = 10; // spec.revisionHistoryLimit's default

    // Per Application: what was last applied (key group/plural/ns/name), its status, its next history id.
    private readonly Dictionary<string, Dictionary<string, (ApiResource Resource, string Namespace, string Name, JsonObject Object)>> _applied = [];
    private readonly Dictionary<string, JsonObject> _status = [];
    private long _historyId;

    /// <summary>Syncs every Application at <paramref name="revision"/>; returns what failed (also logged).</summary>
    private async Task<IReadOnlyList<string>> SyncAsync(string revision, DateTimeOffset seenAt, CancellationToken ct)
    {
        using var checkout = Kustomize.Checkout(_bareRepoPath, revision);
        var applications = (await checkout.RenderAsync(_options.RootPath, ct))
            .Where(o => (string?)o["kind"] == "Application" && ((string?)o["apiVersion"])?.StartsWith(ArgoGroup + "/", StringComparison.Ordinal) == true)
            .ToList();
        var failures = new List<string>();
        foreach (var missing in _options.Applications.Except(applications.Select(a => (string)a["metadata"]!["name"]!)))
        {
            failures.Add($"no Application {missing} under {_options.RootPath} at {Short(revision)}");
        }

        foreach (var application in applications)
        {
            var name = (string)application["metadata"]!["name"]!;
            if (!_options.Applications.Contains(name))
            {
                PutApplication(application, null);
                continue;
            }

            try
            {
                await SyncApplicationAsync(application, name, checkout, revision, seenAt, ct);
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{name}: {e.Message}");
                var status = _status.GetValueOrDefault(name) ?? new JsonObject();
                var now = Time(DateTimeOffset.UtcNow);
                status["sync"] = new JsonObject { ["status"] = "OutOfSync", ["revision"] = revision };
                status["operationState"] = Operation(revision, "Failed", $"ComparisonError: {e.Message}", now, now, null);
                PutApplication(application, status);
            }
        }

        foreach (var failure in failures)
        {
            Problem(failure);
        }

        return failures;
    }

    private async Task SyncApplicationAsync(JsonObject application, string name, Kustomize checkout, string revision, DateTimeOffset seenAt, CancellationToken ct)
    {
        var path = (string?)application["spec"]?["source"]?["path"] ?? throw new InvalidOperationException("spec.source.path is not set");
        var destination = (string?)application["spec"]?["destination"]?["namespace"] ?? "default";
        var desired = new Dictionary<string, (ApiResource Resource, string Namespace, string Name, JsonObject Object)>(StringComparer.Ordinal);
        foreach (var obj in await checkout.RenderAsync(path, ct))
        {
            var resource = ApiResource.Of(obj);
            if (!resource.IsNamespaced)
            {
                continue;
            }

            var ns = (string?)obj["metadata"]?["namespace"] ?? destination;
            var objName = (string)obj["metadata"]!["name"]!;
            desired[$"{resource.Group}/{resource.Plural}/{ns}/{objName}"] = (resource, ns, objName, Tracked(obj, name, resource, ns, objName));
        }

        var previous = _applied.GetValueOrDefault(name) ?? [];
        var changed = desired.Where(d => !previous.TryGetValue(d.Key, out var p) || p.Object.ToJsonString() != d.Value.Object.ToJsonString()).ToList();
        var pruned = previous.Keys.Except(desired.Keys).ToList();
        var status = _status.GetValueOrDefault(name);
        var comparedTo = new JsonObject
        {
            ["source"] = application["spec"]?["source"]?.DeepClone(),
            ["destination"] = application["spec"]?["destination"]?.DeepClone(),
        };
        if (status is not null && changed.Count == 0 && pruned.Count == 0)
        {
            // Nothing of this Application changed: Argo CD's refresh says Synced at the new revision and runs no operation.
            status["sync"] = new JsonObject { ["status"] = "Synced", ["revision"] = revision, ["comparedTo"] = comparedTo };
            status["reconciledAt"] = Time(DateTimeOffset.UtcNow);
            PutApplication(application, status);
            Record(new SyncRecord(name, revision, seenAt, DateTimeOffset.UtcNow));
            return;
        }

        // The refresh finds the diff and automated sync starts an operation at once.
        status ??= new JsonObject();
        var startedAt = Time(DateTimeOffset.UtcNow);
        status["sync"] = new JsonObject { ["status"] = "OutOfSync", ["revision"] = revision, ["comparedTo"] = comparedTo.DeepClone() };
        status["operationState"] = Operation(revision, "Running", "one or more tasks are running", startedAt, null, null);
        status["health"] ??= new JsonObject { ["status"] = "Progressing" };
        PutApplication(application, status);

        foreach (var (_, (resource, ns, objName, obj)) in changed)
        {
            Apply(resource, ns, obj);
        }

        foreach (var key in pruned)
        {
            var (resource, ns, objName, _) = previous[key];
            _cluster.Delete(resource.Group, ns, resource.Plural, objName);
        }

        _applied[name] = desired;
        var finished = DateTimeOffset.UtcNow;
        var finishedAt = Time(finished);
        var results = new JsonArray([.. changed.Select(c => ResourceResult(c.Value.Resource, c.Value.Namespace, c.Value.Name, previous.ContainsKey(c.Key) ? "configured" : "created")),
            .. pruned.Select(k => ResourceResult(previous[k].Resource, previous[k].Namespace, previous[k].Name, "pruned"))]);
        var history = status["history"] as JsonArray ?? [];
        history.Add(new JsonObject
        {
            ["revision"] = revision,
            ["deployStartedAt"] = startedAt,
            ["deployedAt"] = finishedAt,
            ["id"] = _historyId++,
            ["source"] = application["spec"]?["source"]?.DeepClone(),
            ["initiatedBy"] = new JsonObject { ["automated"] = true },
        });
        while (history.Count > HistoryLimit)
        {
            history.RemoveAt(0);
        }

        status["sync"] = new JsonObject { ["status"] = "Synced", ["revision"] = revision, ["comparedTo"] = comparedTo };
        status["operationState"] = Operation(revision, "Succeeded", "successfully synced (all tasks run)", startedAt, finishedAt, results);
        if ((string?)status["health"]?["status"] != "Healthy")
        {
            status["health"] = new JsonObject { ["status"] = "Healthy", ["lastTransitionTime"] = finishedAt };
        }

        status["history"] = history.DeepClone();
        status["reconciledAt"] = finishedAt;
        status["sourceType"] = "Kustomize";
        status["resources"] = new JsonArray([.. desired.Values.OrderBy(d => d.Resource.Kind, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new JsonObject
            {
                ["group"] = d.Resource.Group,
                ["version"] = d.Resource.Version,
                ["kind"] = d.Resource.Kind,
                ["namespace"] = d.Namespace,
                ["name"] = d.Name,
                ["status"] = "Synced",
            })]);
        status["controllerNamespace"] = _options.ArgoNamespace;
        _status[name] = status;
        PutApplication(application, status);
        Record(new SyncRecord(name, revision, seenAt, finished, changed.Count + pruned.Count));
    }

    /// <summary>The object as Argo CD applies it: tracking annotation (Argo CD 3's default), then kubectl's last-applied configuration.</summary>
    private static JsonObject Tracked(JsonObject rendered, string application, ApiResource resource, string ns, string name)
    {
        var obj = rendered.DeepClone().AsObject();
        var metadata = obj["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        if (metadata["annotations"] is not JsonObject annotations)
        {
            metadata["annotations"] = annotations = new JsonObject();
        }

        annotations[TrackingAnnotation] = $"{application}:{resource.Group}/{resource.Kind}:{ns}/{name}";
        annotations[LastApplied] = obj.ToJsonString() + "\n";
        return obj;
    }

    /// <summary>Creates or replaces a live object, keeping its uid and creationTimestamp as an update would.</summary>
    private void Apply(ApiResource resource, string ns, JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (_cluster.Get(resource.Group, ns, resource.Plural, (string)copy["metadata"]!["name"]!) is { } live)
        {
            copy["metadata"]!["uid"] = live["metadata"]?["uid"]?.DeepClone();
            copy["metadata"]!["creationTimestamp"] = live["metadata"]?["creationTimestamp"]?.DeepClone();
        }

        _cluster.Put(resource.Group, resource.Version, ns, resource.Plural, copy);
    }

    private void PutApplication(JsonObject application, JsonObject? status)
    {
        var obj = application.DeepClone().AsObject();
        obj["metadata"]!["namespace"] = _options.ArgoNamespace;
        if (status is not null)
        {
            obj["status"] = status.DeepClone();
        }

        Apply(new ApiResource(ArgoGroup, ArgoVersion, "Application", "applications"), _options.ArgoNamespace, obj);
    }

    private static JsonObject Operation(string revision, string phase, string message, string startedAt, string? finishedAt, JsonArray? resources)
    {
        var operation = new JsonObject
        {
            ["operation"] = new JsonObject
            {
                ["sync"] = new JsonObject { ["revision"] = revision, ["prune"] = true },
                ["initiatedBy"] = new JsonObject { ["automated"] = true },
                ["retry"] = new JsonObject { ["limit"] = 5 },
            },
            ["phase"] = phase,
            ["message"] = message,
            ["startedAt"] = startedAt,
        };
        if (finishedAt is not null)
        {
            operation["finishedAt"] = finishedAt;
            operation["syncResult"] = new JsonObject { ["revision"] = revision, ["resources"] = resources ?? [] };
        }

        return operation;
    }

    private static JsonObject ResourceResult(ApiResource resource, string ns, string name, string verb) => new()
    {
        ["group"] = resource.Group,
        ["version"] = resource.Version,
        ["kind"] = resource.Kind,
        ["namespace"] = ns,
        ["name"] = name,
        ["status"] = verb == "pruned" ? "Pruned" : "Synced",
        ["message"] = $"{resource.Kind.ToLowerInvariant()}{(resource.Group.Length > 0 ? "." + resource.Group : "")}/{name} {verb}",
        ["hookPhase"] = "Running",
        ["syncPhase"] = "Sync",
    };

    /// <summary>Argo CD's timestamps: RFC 3339 to the second.</summary>
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
