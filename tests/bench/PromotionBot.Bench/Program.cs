using PromotionBot.Bench;

return await BenchRunner.RunAsync(args);
