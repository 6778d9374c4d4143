using PromotionBot.Policy;
using Xunit;

namespace PromotionBot.Tests.Policy;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2m30s", 150)]
    public void Parses_prometheus_durations(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
        Assert.Equal(text, Durations.Format(d));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5 minutes")]
    [InlineData("1d")]
    public void Rejects_anything_else(string text) => Assert.False(Durations.TryParse(text, out _));
}
