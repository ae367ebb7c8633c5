using ImagingCds.Security;

namespace ImagingCds.Tests.Security;

public sealed class ClientTokenValidatorTests
{
    [Theory]
    [InlineData("https://cds.example.org/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org/cds-services/x/", "https://cds.example.org/cds-services/x")]
    [InlineData("HTTPS://CDS.example.org/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org:443/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("urn:epic:site-7", "urn:epic:site-7")]
    [InlineData("site-7", "site-7")]
    public void AudienceMatches_SameUrlOrString_True(string aud, string expected) =>
        Assert.True(ClientTokenValidator.AudienceMatches(aud, expected));

    [Theory]
    [InlineData("https://cds.example.org/cds-services/X", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org/cds-services", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org/cds-services/x/y", "https://cds.example.org/cds-services/x")]
    [InlineData("http://cds.example.org/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org.evil/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("https://u@cds.example.org/cds-services/x", "https://cds.example.org/cds-services/x")]
    [InlineData("https://cds.example.org/cds-services/x?a=1", "https://cds.example.org/cds-services/x")]
    [InlineData("Site-7", "site-7")]
    public void AudienceMatches_Different_False(string aud, string expected) =>
        Assert.False(ClientTokenValidator.AudienceMatches(aud, expected));
}
