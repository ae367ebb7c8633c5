using System.Text;
using System.Text.RegularExpressions;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Hooks;

public sealed partial class ServiceCatalogTests
{
    /// <summary>The prefetch tokens CDS Hooks 2.0 defines (https://cds-hooks.org/specification/current/#prefetch-tokens).</summary>
    private static readonly HashSet<string> SpecTokens =
    [
        "context.userId", "context.patientId", "context.encounterId",
        "userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId",
    ];

    private const string ValidService = """
        {"services":[{"id":"spine-mri-appropriateness","hook":"order-sign","description":"d",
          "prefetch":{"patient":"Patient/{{context.patientId}}","conditions":"Condition?patient={{ context.patientId }}"}}]}
        """;

    [Fact]
    public void Load_RepositoryDiscoveryFile_DeclaresTheSpineMriOrderSignService()
    {
        var catalog = ServiceCatalog.Load(Repo.File("cds-services.json"));

        using var document = System.Text.Json.JsonDocument.Parse(catalog.Document);
        var service = Assert.Single(document.RootElement.GetProperty("services").EnumerateArray());
        Assert.Equal("spine-mri-appropriateness", service.GetProperty("id").GetString());
        Assert.Equal("order-sign", service.GetProperty("hook").GetString());
        Assert.Equal("Patient/{{context.patientId}}", catalog.Prefetch["patient"]);
    }

    [Fact]
    public void Load_RepositoryDiscoveryFile_PrefetchUsesOnlySpecTokens()
    {
        var catalog = ServiceCatalog.Load(Repo.File("cds-services.json"));

        Assert.NotEmpty(catalog.Prefetch);
        foreach (var (key, template) in catalog.Prefetch)
        {
            var tokens = Token().Matches(template).Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(tokens);
            Assert.All(tokens, token => Assert.Contains(token, SpecTokens));
            Assert.True(RecordParts.ResourceTypeOfQuery(template) is not null, $"prefetch '{key}' reads no record part: {template}");
        }
    }

    [Fact]
    public void Load_RepositoryDiscoveryFile_PrefetchCoversEveryRecordPart()
    {
        var catalog = ServiceCatalog.Load(Repo.File("cds-services.json"));

        var covered = catalog.Prefetch.Values.Select(RecordParts.ResourceTypeOfQuery).ToHashSet();

        Assert.All(RecordParts.All, part => Assert.Contains(part, covered));
    }

    [Fact]
    public void Load_ValidFile_ServesItsBytesAsIs()
    {
        using var file = TempFile.With("cds-services.json", ValidService);

        var catalog = ServiceCatalog.Load(file.Path);

        Assert.Equal(File.ReadAllBytes(file.Path), catalog.Document.ToArray());
        Assert.Equal("Condition?patient={{ context.patientId }}", catalog.Prefetch["conditions"]);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "cds-services.json");

        var ex = Assert.Throws<InvalidOperationException>(() => ServiceCatalog.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"services\": [", "not valid JSON")]
    [InlineData("{\"services\": [] // comment\n}", "not valid JSON")]
    [InlineData("{\"services\": []} {\"services\": []}", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "'services' array")]
    [InlineData("{\"services\": {}}", "'services' array")]
    [InlineData("{\"services\": []}", "no service has id 'spine-mri-appropriateness'")]
    [InlineData("{\"services\": [{\"id\":\"other\",\"hook\":\"order-sign\",\"description\":\"d\"}]}", "no service has id 'spine-mri-appropriateness'")]
    [InlineData("{\"services\": [{\"id\":\"spine-mri-appropriateness\",\"hook\":\"patient-view\",\"description\":\"d\"}]}", "must declare hook 'order-sign'")]
    [InlineData("{\"services\": [{\"id\":\"spine-mri-appropriateness\",\"hook\":\"order-sign\"}]}", "services[0].description")]
    [InlineData("{\"services\": [{\"id\":\"\",\"hook\":\"order-sign\",\"description\":\"d\"}]}", "services[0].id")]
    [InlineData("{\"services\": [5]}", "services[0]")]
    [InlineData("{\"services\": [{\"id\":\"spine-mri-appropriateness\",\"hook\":\"order-sign\",\"description\":\"d\",\"prefetch\":[]}]}", "prefetch must be an object")]
    [InlineData("{\"services\": [{\"id\":\"spine-mri-appropriateness\",\"hook\":\"order-sign\",\"description\":\"d\",\"prefetch\":{\"p\":5}}]}", "prefetch 'p' must be a non-empty string")]
    public void Load_BrokenFile_ThrowsNamingTheFileAndTheProblem(string json, string problem)
    {
        using var file = TempFile.With("cds-services.json", json);

        var ex = Assert.Throws<InvalidOperationException>(() => ServiceCatalog.Load(file.Path));

        Assert.Contains(file.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Condition?patient={{context.foo}}", "{{context.foo}}")]
    [InlineData("Patient/{{patient}}", "{{patient}}")]
    [InlineData("Condition?patient={{context.patientId}}&encounter={{context.draftOrders}}", "{{context.draftOrders}}")]
    [InlineData("Patient/{{ userId }}", "{{userId}}")]
    public void Load_UnknownPrefetchToken_ThrowsNamingTheKeyAndToken(string template, string token)
    {
        using var file = TempFile.With("cds-services.json",
            $$$"""{"services":[{"id":"spine-mri-appropriateness","hook":"order-sign","description":"d","prefetch":{"odd":"{{{template}}}"}}]}""");

        var ex = Assert.Throws<InvalidOperationException>(() => ServiceCatalog.Load(file.Path));

        Assert.Contains(file.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("prefetch 'odd'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(token, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidJson_NamesLineAndByte()
    {
        var problem = ServiceCatalog.Validate(Encoding.UTF8.GetBytes("{\n  \"services\": [,]\n}"), out _);

        Assert.Equal("not valid JSON (line 2, byte 16)", problem);
    }

    [Fact]
    public void Validate_ValidDocument_ReturnsNullAndThePrefetchTemplates()
    {
        var problem = ServiceCatalog.Validate(Encoding.UTF8.GetBytes(ValidService), out var prefetch);

        Assert.Null(problem);
        Assert.Equal(["conditions", "patient"], prefetch.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_ServiceWithoutPrefetch_IsValidWithNoTemplates()
    {
        var problem = ServiceCatalog.Validate(
            Encoding.UTF8.GetBytes("""{"services":[{"id":"spine-mri-appropriateness","hook":"order-sign","description":"d"}]}"""), out var prefetch);

        Assert.Null(problem);
        Assert.Empty(prefetch);
    }

    [Fact]
    public void Validate_OtherServicesBeside_FindsTheSpineService()
    {
        var problem = ServiceCatalog.Validate(Encoding.UTF8.GetBytes("""
            {"services":[{"id":"other","hook":"patient-view","description":"d"},
                         {"id":"spine-mri-appropriateness","hook":"order-sign","description":"d","prefetch":{"patient":"Patient/{{context.patientId}}"}}]}
            """), out var prefetch);

        Assert.Null(problem);
        Assert.Equal("Patient/{{context.patientId}}", Assert.Single(prefetch).Value);
    }

    [GeneratedRegex(@"\{\{\s*([^}\s]+)\s*\}\}")]
    private static partial Regex Token();
}
