namespace ImagingCds.Hooks;

/// <summary>
/// <c>dotnet ImagingCds.dll --health-check URL</c>: exits 0 when the URL answers 2xx within 3 s. The container image has
/// no curl, so its HEALTHCHECK runs the app itself in this mode.
/// </summary>
internal static class HealthProbe
{
    public const string Flag = "--health-check";

    public static int Run(string url)
    {
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var response = client.GetAsync(new Uri(url)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? 0 : 1;
        }
#pragma warning disable CA1031 // Any failure means "unhealthy"; the exit code is the whole answer.
        catch (Exception)
#pragma warning restore CA1031
        {
            return 1;
        }
    }
}
