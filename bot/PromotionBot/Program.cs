using PromotionBot.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await BotCli.InvokeAsync(args, Console.Out, Console.Error, cancel.Token);
