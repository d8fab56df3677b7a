using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.Transcoder.Jobs;
using Vod.Transcoder.Ladder;

namespace Vod.Transcoder.Tests.Ladder;

/// <summary><c>Ladder:Codecs</c> as the transcoder binds and checks it at start.</summary>
public sealed class LadderOptionsCodecsTests
{
    private static LadderOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddTranscoding(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<LadderOptions>>().Value;
    }

    [Fact]
    public void Codecs_NotConfigured_H264Only()
    {
        Assert.Equal([VideoCodec.H264], Bind([]).EffectiveCodecs);
    }

    [Theory]
    [InlineData("Ladder:Codecs", "h264,av1")]
    [InlineData("Ladder:Codecs", " H264 , AV1 ")]
    [InlineData("Ladder:Codecs:0", "h264,av1")]
    public void Codecs_CommaSeparated_H264AndAv1(string key, string value)
    {
        Assert.Equal([VideoCodec.H264, VideoCodec.Av1], Bind(new() { [key] = value }).EffectiveCodecs);
    }

    [Fact]
    public void Codecs_AsAList_H264AndAv1()
    {
        var options = Bind(new() { ["Ladder:Codecs:0"] = "h264", ["Ladder:Codecs:1"] = "av1" });

        Assert.Equal([VideoCodec.H264, VideoCodec.Av1], options.EffectiveCodecs);
    }

    [Fact]
    public void Codecs_Av1FirstOrTwice_H264StillFirstAndEachOnce()
    {
        var options = Bind(new() { ["Ladder:Codecs:0"] = "av1", ["Ladder:Codecs:1"] = "h264", ["Ladder:Codecs:2"] = "av1" });

        Assert.Equal([VideoCodec.H264, VideoCodec.Av1], options.EffectiveCodecs);
    }

    [Theory]
    [InlineData("av1")] // every player decodes H.264: it is never left out
    [InlineData("h264,vp9")]
    [InlineData("h264,hevc")]
    public void Codecs_UnknownOrWithoutH264_RefusedAtStart(string codecs)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Ladder:Codecs"] = codecs }));

        Assert.Contains("Ladder:Codecs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rungs_ANameThatIsAnotherRungsAv1Copy_RefusedWithAv1On()
    {
        Dictionary<string, string?> rungs = new()
        {
            ["Ladder:Rungs:0:Name"] = "720p",
            ["Ladder:Rungs:0:Height"] = "720",
            ["Ladder:Rungs:0:VideoKbps"] = "3000",
            ["Ladder:Rungs:1:Name"] = "720p-av1",
            ["Ladder:Rungs:1:Height"] = "480",
            ["Ladder:Rungs:1:VideoKbps"] = "1200",
        };
        Assert.Equal(2, Bind(rungs).EffectiveRungs.Count); // without AV1 the name is only odd

        rungs["Ladder:Codecs"] = "h264,av1";
        var e = Assert.Throws<OptionsValidationException>(() => Bind(rungs));

        Assert.Contains("-av1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("14")]
    public void Av1Preset_OutOfRange_RefusedAtStart(string preset)
    {
        Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Ladder:Av1Preset"] = preset }));
    }
}
