using ImagingCds.Fhir;

namespace ImagingCds.Tests.Fhir;

public sealed class FhirDateTimeTests
{
    [Fact]
    public void TryParse_Year_CoversTheWholeYear()
    {
        var value = FhirDateTime.TryParse("2024");

        Assert.NotNull(value);
        Assert.Equal(new DateOnly(2024, 1, 1), value.Start);
        Assert.Equal(new DateOnly(2024, 12, 31), value.End);
        Assert.Equal(DatePrecision.Year, value.Precision);
        Assert.Equal("2024", value.Text);
    }

    [Theory]
    [InlineData("2024-05", 2024, 5, 31)]
    [InlineData("2024-02", 2024, 2, 29)]
    [InlineData("2023-02", 2023, 2, 28)]
    [InlineData("2024-12", 2024, 12, 31)]
    [InlineData("9999-12", 9999, 12, 31)]
    [InlineData("0001-01", 1, 1, 31)]
    public void TryParse_YearMonth_CoversTheWholeMonth(string text, int year, int month, int lastDay)
    {
        var value = FhirDateTime.TryParse(text);

        Assert.NotNull(value);
        Assert.Equal(new DateOnly(year, month, 1), value.Start);
        Assert.Equal(new DateOnly(year, month, lastDay), value.End);
        Assert.Equal(DatePrecision.Month, value.Precision);
    }

    [Fact]
    public void TryParse_FullDate_StartsAndEndsThatDay()
    {
        var value = FhirDateTime.TryParse("2024-05-17");

        Assert.NotNull(value);
        Assert.Equal(new DateOnly(2024, 5, 17), value.Start);
        Assert.Equal(new DateOnly(2024, 5, 17), value.End);
        Assert.Equal(DatePrecision.Day, value.Precision);
    }

    [Theory]
    [InlineData("2024-05-17T10:30:00Z")]
    [InlineData("2024-05-17T23:30:00-05:00")]
    [InlineData("2024-05-17T00:15:00+14:00")]
    [InlineData("2024-05-17T10:30:00.123+02:00")]
    [InlineData("2024-05-17T10:30:00")]
    public void TryParse_DateTimeWithOrWithoutZone_IsTheCalendarDayAsWritten(string text)
    {
        var value = FhirDateTime.TryParse(text);

        Assert.NotNull(value);
        Assert.Equal(new DateOnly(2024, 5, 17), value.Start);
        Assert.Equal(new DateOnly(2024, 5, 17), value.End);
        Assert.Equal(DatePrecision.Time, value.Precision);
        Assert.Equal(text, value.Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("24")]
    [InlineData("0000")]
    [InlineData("abcd")]
    [InlineData("+202")]
    [InlineData("2024-13")]
    [InlineData("2024-00")]
    [InlineData("2024-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("2024-5-17")]
    [InlineData("20240517")]
    [InlineData("2024/05/17")]
    [InlineData("17-05-2024")]
    [InlineData("2024-05-17 10:30:00")]
    [InlineData("2024-05-17T25:00:00Z")]
    [InlineData("2024-05-17Tnoon")]
    [InlineData("2024-05-17-garbage")]
    public void TryParse_InvalidText_ReturnsNull(string? text) =>
        Assert.Null(FhirDateTime.TryParse(text));

    [Fact]
    public void FromDate_Day_WritesIsoDateAtDayPrecision()
    {
        var value = FhirDateTime.FromDate(new DateOnly(2024, 1, 5));

        Assert.Equal("2024-01-05", value.Text);
        Assert.Equal("2024-01-05", value.ToString());
        Assert.Equal(DatePrecision.Day, value.Precision);
        Assert.Equal(value.Start, value.End);
    }
}
