public sealed class ServeTests
{
    [Fact]
    public void Serve_answers() { }
}
