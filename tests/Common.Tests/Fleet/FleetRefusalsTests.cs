using Vod.Common.Fleet;

namespace Vod.Common.Tests.Fleet;

public class FleetRefusalsTests
{
    private static readonly RefusedEntry Poisoned = new("evil", "bad signature");

    [Fact]
    public void New_SameEntryReadAgain_IsReportedOnce()
    {
        var refusals = new FleetRefusals();

        Assert.Equal([Poisoned], refusals.New([Poisoned]));
        Assert.Empty(refusals.New([Poisoned]));
        Assert.Empty(refusals.New([Poisoned]));
    }

    [Fact]
    public void New_EntryGoneThenBack_IsReportedAgain()
    {
        var refusals = new FleetRefusals();
        refusals.New([Poisoned]);

        Assert.Empty(refusals.New([]));
        Assert.Equal([Poisoned], refusals.New([Poisoned]));
    }

    [Fact]
    public void Printable_ControlCharactersAndLength_AreTamed()
    {
        var printable = RefusedEntry.Printable("a\nb\u001b[31m" + new string('x', 100));

        Assert.DoesNotContain('\n', printable);
        Assert.DoesNotContain('\u001b', printable);
        Assert.StartsWith("a?b?[31m", printable, StringComparison.Ordinal);
        Assert.Equal(65, printable.Length);
    }
}
