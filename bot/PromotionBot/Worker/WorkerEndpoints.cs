using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace PromotionBot.Worker;

public static class WorkerEndpoints
{
    public const string Health = "/healthz";
    public const string Ready = "/readyz";
    public const string Metrics = "/metrics";

    /// <summary>/healthz (the process serves requests), /readyz (see <see cref="Readiness"/>), /metrics (Prometheus text).
    /// None of them calls GitHub, git or Prometheus.</summary>
    public static WebApplication MapPromotionWorkerEndpoints(this WebApplication app)
    {
        app.MapGet(Health, () => Results.Text("ok\n"));
        app.MapGet(Ready, (Readiness readiness) =>
        {
            var (ready, detail) = readiness.Check();
            return Results.Text(detail + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        var export = app.Services.GetRequiredService<MetricsExport>();
        app.MapMetrics(settings => settings.Registry = export.Registry, Metrics);
        return app;
    }
}
