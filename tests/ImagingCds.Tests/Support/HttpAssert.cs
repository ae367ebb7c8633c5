using System.Net;
using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Support;

/// <summary>HTTP shapes several endpoint tests check: the problem answer and the CDS Hooks sandbox's CORS preflight.</summary>
internal static class HttpAssert
{
    /// <summary>A problem+json answer with this status and stable <c>code</c>, and nothing null or empty in it.</summary>
    public static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = Assert.IsType<JsonObject>(JsonNode.Parse(body));
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        Assert.Equal(code, problem["code"]?.GetValue<string>());
        CdsHygiene.AssertClean(problem);
        return problem;
    }

    /// <summary>The preflight a browser client such as the CDS Hooks sandbox sends before a POST with Authorization.</summary>
    public static HttpRequestMessage Preflight(string url)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, url);
        preflight.Headers.Add("Origin", "https://sandbox.cds-hooks.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return preflight;
    }
}
