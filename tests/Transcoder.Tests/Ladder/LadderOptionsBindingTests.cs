using Microsoft.Extensions.Configuration;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;

namespace Vod.Transcoder.Tests.Ladder;

/// <summary>The ladder's settings as the configuration binder fills them (it adds to a list's items instead of replacing them).</summary>
public class LadderOptionsBindingTests
{
    private static LadderOptions Bind(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build()
            .GetSection(LadderOptions.Section).Get<LadderOptions>() ?? new LadderOptions();

    [Fact]
    public void Bind_Nothing_PerTitleModeAndTheDefaultTrialGrid_KeepingTheFixedTopQuality()
    {
        var options = Bind(("Ladder:Preset", "veryfast"));

        Assert.Equal(LadderMode.PerTitle, options.Mode);
        Assert.Equal(PerTitleOptions.DefaultTrialHeights, options.PerTitle.EffectiveTrialHeights);
        Assert.Equal(PerTitleOptions.DefaultTrialCrfs, options.PerTitle.EffectiveTrialCrfs);
        Assert.True(options.PerTitle.KeepFixedTopQuality);
    }

    [Fact]
    public void Bind_FixedMode_TheConfiguredModeWins()
    {
        Assert.Equal(LadderMode.Fixed, Bind(("Ladder:Mode", "Fixed")).Mode);
        Assert.False(Bind(("Ladder:PerTitle:KeepFixedTopQuality", "false")).PerTitle.KeepFixedTopQuality);
    }

    [Fact]
    public void Bind_PerTitleWithItsOwnGrid_ReplacesTheDefaultGridInsteadOfAddingToIt()
    {
        var options = Bind(("Ladder:Mode", "PerTitle"), ("Ladder:PerTitle:TrialHeights:0", "720"), ("Ladder:PerTitle:TrialHeights:1", "360"),
            ("Ladder:PerTitle:TrialCrfs:0", "23"), ("Ladder:PerTitle:MaxTopKbps", "6000"));

        Assert.Equal(LadderMode.PerTitle, options.Mode);
        Assert.Equal([720, 360], options.PerTitle.EffectiveTrialHeights);
        Assert.Equal([23], options.PerTitle.EffectiveTrialCrfs);
        Assert.Equal(6000, options.PerTitle.MaxTopKbps);
    }
}
