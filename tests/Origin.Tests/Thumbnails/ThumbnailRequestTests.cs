using Vod.Origin.Thumbnails;

namespace Vod.Origin.Tests.Thumbnails;

public sealed class ThumbnailRequestTests
{
    [Theory]
    [InlineData(null, null, 320, 10)]      // defaults: 320 px, a tenth of the way into 10 s
    [InlineData("0", "64", 160, 0)]
    [InlineData("3.19", "300", 320, 31)]   // time down to the tenth, width up to the next step
    [InlineData("10", "1280", 1280, 100)]  // the very end is allowed
    [InlineData("9.99", "961", 1280, 99)]
    public void Parse_InBounds_Snaps(string? time, string? width, int snappedWidth, int tenths)
    {
        var request = ThumbnailRequest.Parse(time, width, 10, out var error);

        Assert.Null(error);
        Assert.Equal(new ThumbnailRequest(snappedWidth, tenths), request);
    }

    [Theory]
    [InlineData("10.01", null, "beyond")]
    [InlineData("-1", null, "number of seconds")]
    [InlineData("NaN", null, "number of seconds")]
    [InlineData("1e3", null, "number of seconds")]
    [InlineData(null, "63", "from 64 to 1280")]
    [InlineData(null, "1281", "from 64 to 1280")]
    [InlineData(null, "+320", "from 64 to 1280")]
    public void Parse_OutOfBounds_SaysWhy(string? time, string? width, string reason)
    {
        Assert.Null(ThumbnailRequest.Parse(time, width, 10, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
