using System.Text.Json.Nodes;
using ImagingCds.Fhir;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Fhir;

public sealed class FhirDateTimeJsonConverterTests
{
    [Theory]
    [InlineData("2024")]
    [InlineData("2024-05")]
    [InlineData("2024-05-17")]
    [InlineData("2024-05-17T10:30:00+02:00")]
    public void Write_AfterRead_IsTheOriginalText(string text)
    {
        var json = $$"""{"resourceType":"Patient","id":"p","birthDate":"{{text}}"}""";

        var patient = Assert.IsType<Patient>(FhirJson.ReadResource(Some.Element(json), "test", out var issue));

        Assert.Null(issue);
        Assert.Equal(FhirDateTime.TryParse(text), patient.BirthDate);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(FhirJson.Serialize(patient))), FhirJson.Serialize(patient));
    }

    [Theory]
    [InlineData("\"2024-02-30\"")]
    [InlineData("19680412")]
    [InlineData("{\"year\":1968}")]
    [InlineData("[\"1968\"]")]
    public void Read_NotAFhirDate_IsNullWithoutFailingTheResource(string birthDate)
    {
        var json = $$"""{"resourceType":"Patient","id":"p","birthDate":{{birthDate}},"gender":"male"}""";

        var patient = Assert.IsType<Patient>(FhirJson.ReadResource(Some.Element(json), "test", out var issue));

        Assert.Null(issue);
        Assert.Null(patient.BirthDate);
        Assert.Equal("male", patient.Gender);
    }
}
