namespace PromotionBot.Tests; public sealed class Smoke { [Xunit.Fact] public void Builds() => Xunit.Assert.True(true); }
