using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace PromotionBot.Hosting;

/// <summary>
/// The one host of the bot: ASP.NET Core's slim builder (configuration, logging, DI) plus
/// <see cref="PromotionBotServiceCollectionExtensions.AddPromotionBot"/>. <c>run --once</c> builds it and runs one cycle;
/// the worker (<c>run</c>) adds its hosted service and endpoints to the same builder.
/// </summary>
public static class PromotionBotHost
{
    /// <param name="args">.NET configuration arguments (<c>--GitHub:Owner=acme</c>, <c>--urls</c>, …); not the bot's own options.</param>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json ships next to the executable; `dotnet run` starts in the caller's folder.
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Console text by default; Logging:Console:FormatterName=json selects JSON lines (the container sets it).
        // Every log line goes to stderr: stdout carries only the command's result (summary, dry-run diffs).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // The slim builder registers the simple console formatter in code, which would override the configured name.
        var formatter = builder.Configuration["Logging:Console:FormatterName"];
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = string.IsNullOrWhiteSpace(formatter) ? o.FormatterName : formatter.Trim());
        builder.Services.AddPromotionBot(builder.Configuration);
        return builder;
    }
}
