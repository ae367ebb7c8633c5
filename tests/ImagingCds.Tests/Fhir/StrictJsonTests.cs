using System.Text;
using System.Text.Json;
using ImagingCds.Fhir;

namespace ImagingCds.Tests.Fhir;

public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("""{"a":"plain text, é and 😀 raw"}""")]
    [InlineData("""{"a":"\uD83D\uDE00 a valid pair"}""")]
    [InlineData("""{"a":"\ud83d\ude00 lower case"}""")]
    [InlineData("""{"a":"\\uD800 is an escaped backslash, then text"}""")]
    [InlineData("""{"a":"\u00e9\u0041"}""")]
    [InlineData("""{"a":"\uD800""")] // malformed: the parser reports it, not this scan
    public void FirstInvalidEscape_EveryEscapeDecodes_IsNull(string json) =>
        Assert.Null(StrictJson.FirstInvalidEscape(Encoding.UTF8.GetBytes(json), 64));

    [Theory]
    [InlineData("""{"a":"\uD800"}""", 5)]
    [InlineData("""{"a":"x\udfff"}""", 5)]
    [InlineData("""{"a":"\uDC00\uD800"}""", 5)]
    [InlineData("""{"a":1,"\uDBFF":2}""", 7)]
    [InlineData("""{"a":["ok","\uD83D"]}""", 11)]
    public void FirstInvalidEscape_LoneOrReversedSurrogate_IsItsTokenOffset(string json, long offset) =>
        Assert.Equal(offset, StrictJson.FirstInvalidEscape(Encoding.UTF8.GetBytes(json), 64));

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"b":{"a":1,"\u0061":2}}""")]
    public void Options_PropertyNameTwice_IsRefusedAsDuplicate(string json)
    {
        var ex = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json, StrictJson.Options(64)));

        Assert.True(StrictJson.IsDuplicateProperty(ex), ex.Message);
    }

    [Fact]
    public void Options_SameNameInSiblingObjects_IsAccepted()
    {
        using var document = JsonDocument.Parse("""[{"a":1},{"a":2}]""", StrictJson.Options(64));

        Assert.Equal(2, document.RootElement.GetArrayLength());
    }

    [Fact]
    public void IsDuplicateProperty_OtherMalformation_IsFalse() =>
        Assert.False(StrictJson.IsDuplicateProperty(Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("{", StrictJson.Options(64)))));
}
