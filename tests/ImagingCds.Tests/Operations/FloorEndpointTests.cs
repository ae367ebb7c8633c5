using System.Net;
using System.Text;
using System.Text.Json;
using ImagingCds.Tests.Security;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace ImagingCds.Tests.Operations;

/// <summary>The floor endpoint (Performance:FloorEndpoint): absent by default, exact-size valid JSON when on, guarded like the hook.</summary>
public sealed class FloorEndpointTests(CdsServiceFactory factory) : IClassFixture<CdsServiceFactory>
{
    private const string FloorUrl = "/cds-services/spine-mri-appropriateness/floor";

    [Fact]
    public async Task PostFloor_ByDefault_Is404()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync($"{FloorUrl}?bytes=4096", Body());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public async Task PostFloor_Enabled_AnswersValidJsonOfExactlyTheAskedSize(int bytes)
    {
        using var floor = WithFloor();
        using var client = floor.CreateClient();

        using var response = await client.PostAsync($"{FloorUrl}?bytes={bytes}", Body());

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, body.Length);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("cards").ValueKind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?bytes=22")]
    [InlineData("?bytes=-5")]
    [InlineData("?bytes=1048577")]
    public async Task PostFloor_SizeMissingOrOutOfBounds_Is400(string query)
    {
        using var floor = WithFloor();
        using var client = floor.CreateClient();

        using var response = await client.PostAsync(FloorUrl + query, Body());

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, "invalid-floor-size");
        Assert.Equal("bytes", problem["path"]?.GetValue<string>());
    }

    [Fact]
    public async Task PostFloor_UnknownService_Is404LikeTheHook()
    {
        using var floor = WithFloor();
        using var client = floor.CreateClient();

        using var response = await client.PostAsync("/cds-services/unknown/floor?bytes=100", Body());

        await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound, "unknown-service");
    }

    [Fact]
    public async Task PostFloor_OutsideDevelopmentWithoutJwt_Is401LikeTheHook()
    {
        await using var secured = new SecuredService(new() { ["Performance:FloorEndpoint"] = "true" });
        using var client = secured.CreateClient();

        using var response = await client.PostAsync($"{FloorUrl}?bytes=100", Body());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> WithFloor() =>
        factory.WithWebHostBuilder(b => b.UseSetting("Performance:FloorEndpoint", "true"));

    private static StringContent Body() => new(Some.OrderSignRequest().ToJsonString(), Encoding.UTF8, "application/json");
}
