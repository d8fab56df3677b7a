using Vod.Origin.Uploads;

namespace Vod.Origin.Tests.Uploads;

public sealed class TusProtocolTests
{
    [Fact]
    public void ParseMetadata_Pairs_DecodesBase64Utf8Values()
    {
        var (metadata, error) = TusProtocol.ParseMetadata("filename bXkgbW92aWUubXA0,name w6l0w6k=,is_confidential");

        Assert.Null(error);
        Assert.Equal("my movie.mp4", metadata!["filename"]);
        Assert.Equal("été", metadata["name"]);
        Assert.Equal("", metadata["is_confidential"]);
    }

    [Theory]
    [InlineData("filename not*base64", "not base64")]
    [InlineData("name YQ==,name Yg==", "names 'name' twice")]
    [InlineData("a b c", "malformed pair")]
    [InlineData("name /w==", "not UTF-8")]
    public void ParseMetadata_Malformed_SaysWhy(string header, string expected)
    {
        var (metadata, error) = TusProtocol.ParseMetadata(header);

        Assert.Null(metadata);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("0.2.2", true)]
    [InlineData("1.0.0", false)]
    public void ResumableProblem_OnlyVersion100Passes(string? header, bool refused) =>
        Assert.Equal(refused, TusProtocol.ResumableProblem(header) is not null);

    [Theory]
    [InlineData("application/offset+octet-stream", true)]
    [InlineData("Application/Offset+Octet-Stream; charset=x", true)]
    [InlineData("application/octet-stream", false)]
    [InlineData(null, false)]
    public void IsOffsetStream_TusContentTypeOnly(string? contentType, bool expected) =>
        Assert.Equal(expected, TusProtocol.IsOffsetStream(contentType));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1234", 1234L)]
    [InlineData("-1", null)]
    [InlineData("+5", null)]
    [InlineData(" 5", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("", null)]
    public void ParseSize_DigitsOnly(string value, long? expected) => Assert.Equal(expected, TusProtocol.ParseSize(value));

    [Fact]
    public void OffsetProblem_OffsetNotTheUploads_Is409()
    {
        Assert.Equal(409, TusProtocol.OffsetProblem(0, 10, 100, 1000)?.Status);
        Assert.Equal(409, TusProtocol.OffsetProblem(200, 10, 100, 1000)?.Status);
    }

    [Fact]
    public void OffsetProblem_BodyBeyondLength_Is413_AndExactFitPasses()
    {
        Assert.Equal(413, TusProtocol.OffsetProblem(100, 901, 100, 1000)?.Status);
        Assert.Null(TusProtocol.OffsetProblem(100, 900, 100, 1000));
        Assert.Null(TusProtocol.OffsetProblem(100, null, 100, 1000));
    }

    [Fact]
    public void IsUploadId_OnlyNewIds()
    {
        Assert.True(TusProtocol.IsUploadId(TusProtocol.NewId()));
        Assert.False(TusProtocol.IsUploadId("../../etc/passwd"));
        Assert.False(TusProtocol.IsUploadId(new string('A', 32)));
    }
}
