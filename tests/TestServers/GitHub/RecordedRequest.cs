namespace TestServers.GitHub;

/// <summary>One request as the server saw it, and what it answered.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string RequestBody, int Status, string ResponseBody)
{
    public bool IsWrite => Method is not ("GET" or "HEAD");
}
