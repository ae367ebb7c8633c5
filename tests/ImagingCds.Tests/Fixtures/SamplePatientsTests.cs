using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Fixtures;

/// <summary>The eight SMART sample patients evaluate through the real endpoint without errors and with clean cards.</summary>
public sealed class SamplePatientsTests(CdsServiceFactory service) : IClassFixture<CdsServiceFactory>
{
    private static readonly string Folder = Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "sample-patients"));

    public static TheoryData<string> Patients()
    {
        var data = new TheoryData<string>();
        foreach (var id in SamplePatients.Ids(Folder))
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void Folder_HoldsTheEightPatients() => Assert.Equal(8, SamplePatients.Ids(Folder).Count());

    [Theory]
    [MemberData(nameof(Patients))]
    public async Task Post_SamplePatient_EvaluatesEveryPolicyWithoutError(string id)
    {
        using var client = service.CreateClient();
        using var content = new StringContent(SamplePatients.Request(Folder, id), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/cds-services/spine-mri-appropriateness", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = CdsHygiene.AssertCdsResponse(body);
        var entries = json["cards"]!.AsArray().SelectMany(c => c!["extension"]!["appropriateness"]!.AsArray()).ToArray();

        // No Coverage: every policy in scope answers — four for the lumbar MRI, four for the cervical (NIA lumbar/cervical by region).
        Assert.Equal(8, entries.Length);
        Assert.All(entries, e => Assert.NotEqual("error", (string?)e!["verdict"]));
        Assert.Contains(entries, e => (string?)e!["policy"] == "nia-cervical-mri");
    }
}
