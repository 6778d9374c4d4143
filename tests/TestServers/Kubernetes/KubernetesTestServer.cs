using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestServers.Kubernetes;

/// <summary>
/// A small, stateful stand-in for the Kubernetes API server on loopback, speaking its wire format closely enough for
/// KubernetesClient: namespaced custom objects (get), and coordination.k8s.io/v1 Leases (get, create, update) with
/// resourceVersion, 409 AlreadyExists on a second create and 409 Conflict on a stale update. Errors are Status
/// objects. Only a bearer token it was given is accepted. Every request is recorded as an RBAC verb.
/// </summary>
public sealed class KubernetesTestServer : IAsyncDisposable
{
    public const string Token = "k8s-test-token-0123456789";

    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<ApiRequest> _requests = [];
    private long _resourceVersion = 100;
    private int _leaseUpdateConflicts;
    private bool _unavailable;

    private KubernetesTestServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public Uri Url { get; private set; } = null!;

    public static async Task<KubernetesTestServer> StartAsync()
    {
        var server = new KubernetesTestServer();
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    /// <summary>A kubeconfig file pointing at this server with the accepted token (written to <paramref name="directory"/>).</summary>
    public string WriteKubeconfig(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {Url.ToString().TrimEnd('/')}
            contexts:
            - name: test
              context:
                cluster: test
                user: promotion-bot
                namespace: default
            current-context: test
            users:
            - name: promotion-bot
              user:
                token: {Token}
            """);
        return path;
    }

    /// <summary>Requests seen so far, as (apiGroup, resource, namespace, verb).</summary>
    public IReadOnlyList<ApiRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>The next <paramref name="count"/> Lease updates answer 409 Conflict (as if another writer won).</summary>
    public void ConflictNextLeaseUpdates(int count)
    {
        lock (_gate)
        {
            _leaseUpdateConflicts = count;
        }
    }

    /// <summary>While true every request answers 503 (an API server outage).</summary>
    public bool Unavailable
    {
        get { lock (_gate) { return _unavailable; } }
        set { lock (_gate) { _unavailable = value; } }
    }

    /// <summary>Creates or replaces an object as kubectl apply would (bypasses recording).</summary>
    public void Put(string group, string version, string ns, string plural, JsonObject obj)
    {
        lock (_gate)
        {
            var name = (string)obj["metadata"]!["name"]!;
            var copy = obj.DeepClone().AsObject();
            var metadata = copy["metadata"]!.AsObject();
            metadata["namespace"] = ns;
            metadata["resourceVersion"] = NextVersion();
            metadata["uid"] ??= Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            _ = version;
            _objects[Key(group, ns, plural, name)] = copy;
        }
    }

    public void Delete(string group, string ns, string plural, string name)
    {
        lock (_gate)
        {
            _objects.Remove(Key(group, ns, plural, name));
        }
    }

    public JsonObject? Get(string group, string ns, string plural, string name)
    {
        lock (_gate)
        {
            return _objects.GetValueOrDefault(Key(group, ns, plural, name))?.DeepClone().AsObject();
        }
    }

    public JsonObject? Lease(string ns, string name) => Get("coordination.k8s.io", ns, "leases", name);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Key(string group, string ns, string plural, string name) => $"{group}/{plural}/{ns}/{name}";

    private string NextVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private async Task HandleAsync(HttpContext ctx)
    {
        var (status, body) = await AnswerAsync(ctx);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString());
    }

    private async Task<(int, JsonObject)> AnswerAsync(HttpContext ctx)
    {
        if (ctx.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            return Status(401, "Unauthorized", "Unauthorized");
        }

        // /api/v1/... is the core group; /apis/{group}/{version}/... every other.
        var segments = ctx.Request.Path.Value!.Trim('/').Split('/');
        var (group, rest) = segments switch
        {
            ["api", "v1", .. var r] => ("", r),
            ["apis", var g, _, .. var r] => (g, r),
            _ => ((string?)null, Array.Empty<string>()),
        };
        if (group is null || rest is not ["namespaces", var ns, var plural, .. var tail] || tail.Length > 1)
        {
            return Status(404, "NotFound", $"the server could not find the requested resource ({ctx.Request.Path})");
        }

        var name = tail.Length == 1 ? tail[0] : null;
        var verb = (ctx.Request.Method, name) switch
        {
            ("GET", null) => ctx.Request.Query["watch"] == "true" ? "watch" : "list",
            ("GET", _) => "get",
            ("POST", null) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", _) => "delete",
            _ => ctx.Request.Method.ToLowerInvariant(),
        };
        var body = ctx.Request.ContentLength is > 0 || ctx.Request.Method is "POST" or "PUT"
            ? await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject
            : null;

        var newName = body?["metadata"]?["name"]?.GetValue<string>();
        lock (_gate)
        {
            _requests.Add(new ApiRequest(group, plural, ns, verb, name ?? newName, body?.DeepClone().AsObject()));
            if (_unavailable)
            {
                return Status(503, "ServiceUnavailable", "the server is currently unable to handle the request");
            }

            switch (verb)
            {
                case "get":
                    return _objects.TryGetValue(Key(group, ns, plural, name!), out var found)
                        ? (200, found.DeepClone().AsObject())
                        : Status(404, "NotFound", $"{plural}.{group} \"{name}\" not found", name, group, plural);
                case "create" when body is not null && newName is not null:
                    if (_objects.ContainsKey(Key(group, ns, plural, newName)))
                    {
                        return Status(409, "AlreadyExists", $"{plural}.{group} \"{newName}\" already exists", newName, group, plural);
                    }

                    return (201, Store(group, ns, plural, newName, body));
                case "update" when body is not null:
                    if (!_objects.TryGetValue(Key(group, ns, plural, name!), out var current))
                    {
                        return Status(404, "NotFound", $"{plural}.{group} \"{name}\" not found", name, group, plural);
                    }

                    var sent = body["metadata"]?["resourceVersion"]?.GetValue<string>();
                    if (string.IsNullOrEmpty(sent))
                    {
                        return Status(422, "Invalid", $"{plural}.{group} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", name, group, plural);
                    }

                    if (plural == "leases" && _leaseUpdateConflicts > 0)
                    {
                        _leaseUpdateConflicts--;
                        return Conflict(name!, group, plural);
                    }

                    if (sent != (string?)current["metadata"]!["resourceVersion"])
                    {
                        return Conflict(name!, group, plural);
                    }

                    body["metadata"]!["uid"] = current["metadata"]!["uid"]?.DeepClone();
                    body["metadata"]!["creationTimestamp"] = current["metadata"]!["creationTimestamp"]?.DeepClone();
                    return (200, Store(group, ns, plural, name!, body));
                default:
                    return Status(405, "MethodNotAllowed", $"{verb} is not supported by this test server");
            }
        }
    }

    private JsonObject Store(string group, string ns, string plural, string name, JsonObject obj)
    {
        var metadata = obj["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        metadata["resourceVersion"] = NextVersion();
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["creationTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        _objects[Key(group, ns, plural, name)] = obj;
        return obj.DeepClone().AsObject();
    }

    private static (int, JsonObject) Conflict(string name, string group, string plural) =>
        Status(409, "Conflict", $"Operation cannot be fulfilled on {plural}.{group} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", name, group, plural);

    private static (int, JsonObject) Status(int code, string reason, string message, string? name = null, string? group = null, string? kind = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind };
        }

        return (code, status);
    }
}

/// <summary>One API request as RBAC sees it, with the object written (create/update).</summary>
public sealed record ApiRequest(string Group, string Resource, string Namespace, string Verb, string? Name, JsonObject? Body);
