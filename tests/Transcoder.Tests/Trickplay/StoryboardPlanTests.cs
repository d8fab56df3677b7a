using Vod.Transcoder.Trickplay;

namespace Vod.Transcoder.Tests.Trickplay;

public sealed class StoryboardPlanTests
{
    private static readonly TrickplayOptions Defaults = new();

    [Theory]
    [InlineData(12.0, 3)]     // 0-5, 5-10, 10-12
    [InlineData(10.0, 2)]     // whole intervals: no empty last cue
    [InlineData(10.03, 2)]    // a sliver past the last interval runs on the previous cue
    [InlineData(10.2, 3)]
    [InlineData(0.4, 1)]
    public void For_Duration_OneTilePerStartedInterval(double seconds, int tiles)
    {
        var plan = StoryboardPlan.For(Defaults, 640, 360, TimeSpan.FromSeconds(seconds));

        Assert.Equal(tiles, plan.Tiles);
        Assert.Equal((160, 90), (plan.TileWidth, plan.TileHeight));
    }

    [Fact]
    public void For_LongTitle_FillsTenByTenSheetsRowByRow()
    {
        var plan = StoryboardPlan.For(Defaults, 1920, 1080, TimeSpan.FromMinutes(20)); // 240 tiles

        Assert.Equal((10, 10, 240, 3), (plan.Columns, plan.Rows, plan.Tiles, plan.Sheets));
        Assert.Equal((0, 0, 0), plan.Locate(0));
        Assert.Equal((0, 160 * 9, 0), plan.Locate(9));
        Assert.Equal((0, 0, 90), plan.Locate(10));
        Assert.Equal((2, 160 * 9, 90 * 3), plan.Locate(239));
    }

    [Theory]
    [InlineData(1920, 800, 66)]   // 2.4:1: 66.67 → even 66
    [InlineData(720, 576, 128)]
    [InlineData(1080, 1920, 284)] // portrait
    public void For_AspectRatio_EvenHeight(int width, int height, int tileHeight)
    {
        var plan = StoryboardPlan.For(Defaults, width, height, TimeSpan.FromSeconds(30));

        Assert.Equal(tileHeight, plan.TileHeight);
        Assert.Equal(0, plan.TileHeight % 2);
    }

    [Fact]
    public void WriteStoryboard_CuesCoverTheDurationInOrder()
    {
        var vtt = StoryboardPlan.For(Defaults, 640, 360, TimeSpan.FromSeconds(12)).WriteStoryboard();

        Assert.Equal(
            "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nsheet_000.jpg#xywh=0,0,160,90\n\n"
            + "00:00:05.000 --> 00:00:10.000\nsheet_000.jpg#xywh=160,0,160,90\n\n"
            + "00:00:10.000 --> 00:00:12.000\nsheet_000.jpg#xywh=320,0,160,90\n",
            vtt);
    }
}
