namespace ImagingCds.Tests.Support;

/// <summary>A <see cref="TimeProvider"/> whose "now" only moves when a test moves it (timers still run on real time).</summary>
internal sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
