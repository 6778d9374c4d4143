namespace Scenarios;

/// <summary>How one subset behaves while a setting is in force. Every field is a rate or level, never a cumulative count.</summary>
/// <param name="RequestsPerSecond">Requests the subset's pod serves per second (and the caller sends to it).</param>
/// <param name="ErrorRatio">Share of served requests answered with <paramref name="ErrorCode"/> by the app itself (flags "-").</param>
/// <param name="TypicalLatencyMs">Median-ish latency; the generated distribution puts p99 at roughly 2-4x this value.</param>
/// <param name="EjectedHosts">Hosts of this subset the caller's Envoy has ejected (ejections_active gauge).</param>
/// <param name="OverflowPerSecond">Requests the caller's Envoy rejects with UO (pending overflow on the subset's cluster).</param>
/// <param name="Endpoints">Endpoints the callers know for the subset (membership_total): ready pods; not-ready pods are not in EDS.</param>
/// <param name="HealthyEndpoints">Healthy endpoints (membership_healthy); -1 means "every endpoint".</param>
/// <param name="NoHealthyPerSecond">Requests the caller answers itself with 503 UH (no healthy upstream; upstream_cx_none_healthy).</param>
/// <param name="ConnectFailPerSecond">Requests that fail with 503 UF,URX after three connect attempts (upstream_cx_connect_fail counts each attempt).</param>
/// <param name="Flapping">Crash-looping pods: ready in one scrape out of four, not ready in the others.</param>
public sealed record SubsetTraffic(
    double RequestsPerSecond = 0,
    double ErrorRatio = 0,
    int ErrorCode = 500,
    double TypicalLatencyMs = 40,
    int EjectedHosts = 0,
    double OverflowPerSecond = 0,
    int Endpoints = 1,
    int HealthyEndpoints = -1,
    double NoHealthyPerSecond = 0,
    double ConnectFailPerSecond = 0,
    bool Flapping = false);
