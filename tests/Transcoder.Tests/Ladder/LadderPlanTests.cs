using Vod.Transcoder.Ladder;

namespace Vod.Transcoder.Tests.Ladder;

public class LadderPlanTests
{
    [Fact]
    public void For_DefaultRungsOn1080pSource_ReturnsAllFiveRenditionsTopDown()
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, 1920, 1080);

        Assert.Equal(
            [
                new Rendition("1080p", 1920, 1080, 5000),
                new Rendition("720p", 1280, 720, 3000),
                new Rendition("480p", 854, 480, 1200),
                new Rendition("360p", 640, 360, 700),
                new Rendition("240p", 426, 240, 400),
            ],
            renditions);
    }

    [Fact]
    public void For_360pSource_KeepsOnly360pAnd240p()
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, 640, 360);

        Assert.Equal(
            [
                new Rendition("360p", 640, 360, 700),
                new Rendition("240p", 426, 240, 400),
            ],
            renditions);
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1280, 720)]
    [InlineData(854, 480)]
    [InlineData(1440, 1080)]
    [InlineData(1080, 1920)]
    [InlineData(500, 300)]
    [InlineData(641, 361)] // odd sizes: rounding to even must not go one pixel past the source
    [InlineData(355, 201)]
    public void For_AnySource_NeverUpscales(int width, int height)
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, width, height);

        Assert.NotEmpty(renditions);
        Assert.All(renditions, r =>
        {
            Assert.InRange(r.Height, 2, height);
            Assert.InRange(r.Width, 2, width);
        });
    }

    [Fact]
    public void For_RungsGivenInAnyOrder_ReturnsHighestFirst()
    {
        RungOptions[] rungs =
        [
            new() { Name = "low", Height = 240, VideoKbps = 400 },
            new() { Name = "high", Height = 720, VideoKbps = 3000 },
            new() { Name = "mid", Height = 480, VideoKbps = 1200 },
        ];

        var renditions = LadderPlan.For(rungs, 1280, 720);

        Assert.Equal(["high", "mid", "low"], renditions.Select(r => r.Name));
    }

    [Fact]
    public void For_4By3Source_KeepsAspectRatio()
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, 1440, 1080);

        Assert.Equal(
            [(1440, 1080), (960, 720), (640, 480), (480, 360), (320, 240)],
            renditions.Select(r => (r.Width, r.Height)));
    }

    [Theory]
    [InlineData(1080, 1920)] // portrait phone video, as displayed
    [InlineData(1440, 1080)] // 4:3
    [InlineData(1920, 800)] // 2.40:1 scope
    [InlineData(720, 720)] // square
    public void For_NonWidescreenSource_WidthsAreEvenAndWithinOnePixelOfTheSourceAspect(int width, int height)
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, width, height);

        Assert.NotEmpty(renditions);
        Assert.All(renditions, r =>
        {
            Assert.Equal(0, r.Width % 2);
            Assert.Equal(0, r.Height % 2);
            var exactWidth = (double)width * r.Height / height;
            Assert.InRange(r.Width, exactWidth - 1, exactWidth + 1);
        });
    }

    [Fact]
    public void For_PortraitSource_KeepsEveryRungAsANarrowPicture()
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, 1080, 1920);

        Assert.Equal(5, renditions.Count);
        Assert.All(renditions, r => Assert.True(r.Width < r.Height, $"{r.Name} is {r.Width}x{r.Height}, not portrait"));
        Assert.Equal((608, 1080), (renditions[0].Width, renditions[0].Height));
    }

    [Fact]
    public void For_SourceShorterThanEveryRung_ReturnsOneRenditionAtSourceHeightWithLowestBitrate()
    {
        var renditions = LadderPlan.For(LadderOptions.DefaultRungs, 356, 200);

        var only = Assert.Single(renditions);
        Assert.Equal(356, only.Width);
        Assert.Equal(200, only.Height);
        Assert.Equal("200p", only.Name);
        Assert.Equal(400, only.VideoKbps);
    }

    [Fact]
    public void For_TwoRungsWithTheSameHeight_ReturnsOneRendition()
    {
        RungOptions[] rungs =
        [
            new() { Name = "a", Height = 360, VideoKbps = 900 },
            new() { Name = "b", Height = 360, VideoKbps = 700 },
        ];

        var renditions = LadderPlan.For(rungs, 640, 360);

        Assert.Equal(360, Assert.Single(renditions).Height);
    }
}
