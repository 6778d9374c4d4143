// Fixture: a program whose commands, options and configuration keys the documentation tests read statically.
var command = args[0] == "serve" ? "serve" : "other";
var port = args.Contains("--port");
var owner = config["GitHub:Owner"];
services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.SectionName).ValidateOnStart();
services.Configure<AlertOptions>(config.GetSection("Alerting"));

public sealed class WorkerOptions
{
    public const string DefaultZone = "UTC";
    public const string SectionName = "Worker";
    public string Schedule { get; set; } = "*/30 * * * * *";
    public string TimeZone { get; init; } = "UTC";
    public RetryOptions? Retry { get; set; }
}

public sealed class RetryOptions
{
    public int Attempts { get; set; } = 3;
}

public sealed record AlertOptions(string? WebhookToken);
