using Vod.Origin.Playback;

namespace Vod.Origin.Tests.Playback;

public sealed class StoryboardsTests
{
    [Fact]
    public void Rewrite_EveryCueImage_BecomesAbsoluteOnTheBase()
    {
        const string published = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nsheet_000.jpg#xywh=0,0,160,90\n\n00:00:05.000 --> 00:00:08.000\nsheet_000.jpg#xywh=160,0,160,90\n";

        var vtt = Storyboards.Rewrite(published, "http://edge:5201/t/tok/titles/abc/v1/trickplay/");

        Assert.Equal(
            "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nhttp://edge:5201/t/tok/titles/abc/v1/trickplay/sheet_000.jpg#xywh=0,0,160,90\n\n"
            + "00:00:05.000 --> 00:00:08.000\nhttp://edge:5201/t/tok/titles/abc/v1/trickplay/sheet_000.jpg#xywh=160,0,160,90\n",
            vtt);
    }

    [Theory]
    [InlineData("../../etc/passwd#xywh=0,0,1,1")]
    [InlineData("http://elsewhere/x.jpg#xywh=0,0,1,1")]
    [InlineData("sheet_000.png#xywh=0,0,1,1")]
    public void Rewrite_PayloadThatIsNotASheetOfTheVersion_IsDropped(string payload)
    {
        var vtt = Storyboards.Rewrite($"WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n{payload}\n", "http://edge/");

        Assert.Equal("WEBVTT\n", vtt);
    }
}
