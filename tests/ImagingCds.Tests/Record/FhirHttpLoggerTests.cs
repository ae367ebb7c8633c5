using ImagingCds.Record;

namespace ImagingCds.Tests.Record;

public sealed class FhirHttpLoggerTests
{
    [Theory]
    [InlineData("https://ehr.example.org/fhir/r4/Patient/pt-123", "Patient")]
    [InlineData("https://ehr.example.org/fhir/r4/Condition?patient=pt-123&_count=100", "Condition")]
    [InlineData("https://ehr.example.org/api/FHIR/R4/QuestionnaireResponse", "QuestionnaireResponse")]
    [InlineData("https://ehr.example.org/fhir?_getpages=abc&_page=2", "other")]
    [InlineData("https://ehr.example.org/fhir/Binary/Patient", "Patient")]
    public void ResourceTypeOf_FhirUrl_IsTheRecordPartNeverTheId(string url, string expected) =>
        Assert.Equal(expected, FhirHttpLogger.ResourceTypeOf(new Uri(url)));

    [Theory]
    [InlineData("https://ehr.example.org/fhir/Patient/pt-123?x=1", "https://ehr.example.org")]
    [InlineData("https://user:secret@ehr.example.org:8443/fhir/Patient/pt-123", "https://ehr.example.org:8443")]
    [InlineData("http://127.0.0.1:5000/fhir/", "http://127.0.0.1:5000")]
    public void OriginOf_Url_IsSchemeHostAndPortOnly(string url, string expected) =>
        Assert.Equal(expected, FhirHttpLogger.OriginOf(new Uri(url)));

    [Fact]
    public void OriginOf_NoUrl_IsDash() => Assert.Equal("-", FhirHttpLogger.OriginOf(null));
}
