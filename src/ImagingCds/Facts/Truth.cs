namespace ImagingCds.Facts;

/// <summary>Three-valued truth: documented true, documented false, or not documented (Kleene's strong logic).</summary>
/// <remarks>Absence of a record is <see cref="Unknown"/>, never <see cref="False"/>.</remarks>
public enum Truth
{
    False = 0,
    Unknown = 1,
    True = 2,
}

/// <summary>Kleene connectives: AND is the minimum, OR the maximum, NOT swaps true and false.</summary>
public static class Kleene
{
    public static Truth And(Truth a, Truth b) => (Truth)Math.Min((int)a, (int)b);

    public static Truth Or(Truth a, Truth b) => (Truth)Math.Max((int)a, (int)b);

    public static Truth Not(Truth a) => (Truth)(2 - (int)a);

    public static Truth FromBool(bool value) => value ? Truth.True : Truth.False;
}
