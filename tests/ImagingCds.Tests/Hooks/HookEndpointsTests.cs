using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace ImagingCds.Tests.Hooks;

public sealed class HookEndpointsTests(CdsServiceFactory factory) : IClassFixture<CdsServiceFactory>
{
    private const string ServiceUrl = "/cds-services/spine-mri-appropriateness";

    [Fact]
    public async Task GetCdsServices_Discovery_ReturnsTheRepositoryFileAsIs()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/cds-services");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(Repo.File("cds-services.json")), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PostService_UnknownServiceId_Is404ProblemWithCode()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/cds-services/unknown", Json(Some.OrderSignRequest()));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound, "unknown-service");
        Assert.Equal("serviceId", problem["path"]?.GetValue<string>());
    }

    [Fact]
    public async Task PostService_MalformedJson_Is400WithCode()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync(ServiceUrl, new StringContent("{\"hook\": \"order-sign\",", Encoding.UTF8, "application/json"));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.Contains("line 1", problem["detail"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostService_MissingPatientId_Is400WithCodeAndPath()
    {
        using var client = factory.CreateClient();
        var body = Some.OrderSignRequest();
        body["context"]!.AsObject().Remove("patientId");

        using var response = await client.PostAsync(ServiceUrl, Json(body));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, "missing-patient-id");
        Assert.Equal("context.patientId", problem["path"]?.GetValue<string>());
    }

    [Fact]
    public async Task PostService_InsecureFhirServer_Is400WithCodeAndPath()
    {
        using var client = factory.CreateClient();
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "http://ehr.example.org/fhir";

        using var response = await client.PostAsync(ServiceUrl, Json(body));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, "insecure-fhir-server");
        Assert.Equal("fhirServer", problem["path"]?.GetValue<string>());
    }

    [Fact]
    public async Task PostService_BodyOverMaxRequestBytes_Is413()
    {
        using var small = factory.WithWebHostBuilder(b => b.UseSetting("Hooks:MaxRequestBytes", "2048"));
        using var client = small.CreateClient();

        using var response = await client.PostAsync(ServiceUrl, Json(Padded(Some.OrderSignRequest(), 3000)));

        await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task PostService_StreamedBodyOverMaxRequestBytes_Is413()
    {
        using var small = factory.WithWebHostBuilder(b => b.UseSetting("Hooks:MaxRequestBytes", "2048"));
        using var client = small.CreateClient();
        using var content = new UnsizedContent(Encoding.UTF8.GetBytes(Padded(Some.OrderSignRequest(), 40_000).ToJsonString()));

        using var response = await client.PostAsync(ServiceUrl, content);

        await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task PostService_BodyUnderMaxRequestBytes_IsAnswered()
    {
        using var small = factory.WithWebHostBuilder(b => b.UseSetting("Hooks:MaxRequestBytes", "2048"));
        using var client = small.CreateClient();
        var body = Some.OrderSignRequest(Some.SpineMriOrder(cpt: "73721"));
        Assert.True(Encoding.UTF8.GetByteCount(body.ToJsonString()) < 2048);

        using var response = await client.PostAsync(ServiceUrl, Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostService_SpineMriWithoutPrefetchOrFhirServer_Is412()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync(ServiceUrl, Json(Some.OrderSignRequest()));

        await HttpAssert.AssertProblem(response, HttpStatusCode.PreconditionFailed, "no-patient-data");
    }

    [Fact]
    public async Task PostService_SpineMriWithOnlyUnusablePrefetch_Is412()
    {
        using var client = factory.CreateClient();
        var body = Some.OrderSignRequest();
        body["prefetch"] = new JsonObject { ["conditions"] = "not fhir", ["allergies"] = null };

        using var response = await client.PostAsync(ServiceUrl, Json(body));

        await HttpAssert.AssertProblem(response, HttpStatusCode.PreconditionFailed, "no-patient-data");
    }

    [Fact]
    public async Task PostService_SpineMriWithPrefetch_Is200CleanCdsResponse()
    {
        using var client = factory.CreateClient();
        var body = Some.OrderSignRequest();
        body["prefetch"] = new JsonObject
        {
            ["patient"] = Some.Patient(),
            ["conditions"] = Some.Bundle(Some.Condition("c1"), Some.Condition("c2", "Patient/other")),
            ["procedures"] = null,
        };

        using var response = await client.PostAsync(ServiceUrl, Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        CdsHygiene.AssertCdsResponse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostService_ExampleFixture_Is200CleanCdsResponse()
    {
        using var client = factory.CreateClient();
        var body = await File.ReadAllTextAsync(Repo.File("fhir-fixtures/README-example/request.json"));

        using var response = await client.PostAsync(ServiceUrl, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        CdsHygiene.AssertCdsResponse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostService_OnlyNonSpineOrders_Is200WithEmptyCards()
    {
        using var client = factory.CreateClient();
        var knee = Some.SpineMriOrder("knee", cpt: "73721");
        var labs = Some.ServiceRequest("cbc", "draft", "2024-05-17", Some.Coding("http://loinc.org", "58410-2"));

        using var response = await client.PostAsync(ServiceUrl, Json(Some.OrderSignRequest(knee, labs)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cds = CdsHygiene.AssertCdsResponse(await response.Content.ReadAsStringAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"cards":[]}"""), cds), cds.ToJsonString());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task GetHealth_Running_Is200(string path)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())?["status"]);
    }

    [Fact]
    public async Task OptionsService_CorsPreflightWithAuthorization_IsAllowed()
    {
        using var client = factory.CreateClient();
        using var preflight = HttpAssert.Preflight(ServiceUrl);

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
        var headers = Single(response, "Access-Control-Allow-Headers").Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("authorization", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("content-type", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("POST", Single(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCdsServices_FromABrowserOrigin_CarriesCorsHeader()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cds-services");
        request.Headers.Add("Origin", "https://sandbox.cds-hooks.org");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
    }

    /// <summary>Bodies a careless or hostile client might send; each must get a 4xx or a 200, never a 500.</summary>
    public static TheoryData<string, string> HostileBodies()
    {
        var data = new TheoryData<string, string>();
        void Add(string name, JsonObject body) => data.Add(name, body.ToJsonString());
        JsonObject With(string key, JsonNode? value)
        {
            var body = Some.OrderSignRequest();
            body["prefetch"] = new JsonObject { [key] = value };
            return body;
        }

        var oddOutcome = new JsonObject
        {
            ["resourceType"] = "OperationOutcome",
            ["issue"] = new JsonArray(new JsonObject { ["severity"] = 5 }, new JsonObject { ["severity"] = null }, "x"),
        };
        Add("severity-not-a-string", With("conditions", Some.Bundle(oddOutcome)));
        Add("bare-outcome-odd-severity", With("conditions", oddOutcome.DeepClone()));
        var oddLinks = Some.Bundle(Some.Condition());
        oddLinks["link"] = new JsonArray(new JsonObject { ["relation"] = 1, ["url"] = 2 }, "self", null);
        Add("link-relation-not-a-string", With("siteKey", oddLinks));
        var badCondition = Some.Condition();
        badCondition["onsetDateTime"] = new JsonObject { ["year"] = 2024 };
        badCondition["status"] = 5;
        badCondition["code"] = "low back pain";
        Add("malformed-resource", With("conditions", Some.Bundle(badCondition)));
        Add("entries-not-objects", With("conditions", new JsonObject { ["resourceType"] = "Bundle", ["entry"] = new JsonArray(1, "x", null, new JsonArray()) }));
        Add("entry-not-an-array", With("conditions", new JsonObject { ["resourceType"] = "Bundle", ["entry"] = "x" }));
        Add("nested-bundles", With("conditions", Some.Bundle("batch-response", Some.Bundle(Some.Bundle(Some.Condition())))));
        Add("number-overflow", With("observations", Some.Bundle(new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = "o",
            ["valueQuantity"] = new JsonObject { ["value"] = JsonNode.Parse("1e400") },
            ["valueInteger"] = JsonNode.Parse("99999999999999999999"),
        })));
        var prefetchArray = Some.OrderSignRequest();
        prefetchArray["prefetch"] = new JsonArray(1);
        Add("prefetch-is-array", prefetchArray);
        var badOrder = Some.SpineMriOrder();
        badOrder["status"] = 5;
        badOrder["authoredOn"] = 20240517;
        Add("malformed-draft-order", Some.OrderSignRequest(badOrder));
        var oddEntries = Some.OrderSignRequest();
        oddEntries["context"]!["draftOrders"]!["entry"] = new JsonArray(null, 1, new JsonObject { ["resource"] = "x" });
        Add("draft-entries-odd", oddEntries);
        var prefixOnly = With("patient", Some.Patient());
        prefixOnly["context"]!["patientId"] = "Patient/";
        Add("patient-id-prefix-only", prefixOnly);
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task PostService_HostileBody_IsNeverA500(string name, string json)
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync(ServiceUrl, new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode < 500, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task PostService_InvalidUtf8_Is400()
    {
        using var client = factory.CreateClient();
        var bytes = Some.Utf8(Some.OrderSignRequest());
        bytes[Array.IndexOf(bytes, (byte)'d')] = 0xC3;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(ServiceUrl, content);

        await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, "malformed-json");
    }


    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>The request with an unknown context field that makes it at least <paramref name="bytes"/> long.</summary>
    private static JsonObject Padded(JsonObject body, int bytes)
    {
        body["context"]!["padding"] = new string('x', bytes);
        return body;
    }
}
