namespace ImagingCds.Tests.Support;

/// <summary>
/// An <see cref="IHttpClientFactory"/> configured as the service registers its FHIR client: redirects not
/// followed, no cookies, no client-wide timeout (the resilience pipeline and the record budget time out).
/// </summary>
/// <remarks>One handler for the test run, so connections are pooled as in the service.</remarks>
internal sealed class LoopbackHttpClients : IHttpClientFactory, IDisposable
{
    public static readonly LoopbackHttpClients Shared = new();

    private readonly SocketsHttpHandler _handler = new() { AllowAutoRedirect = false, UseCookies = false };

    private LoopbackHttpClients()
    {
    }

    public void Dispose() => _handler.Dispose();

    public HttpClient CreateClient(string name) => new(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
}
