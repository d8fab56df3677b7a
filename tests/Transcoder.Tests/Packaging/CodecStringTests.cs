using System.Text;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Packaging;

public sealed class CodecStringTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Not ultrafast: it turns CABAC and 8x8 transforms off, and x264 then writes a baseline stream whatever -profile says.
    private async Task<string> EncodeAsync(params string[] options)
    {
        var path = _temp.Combine("clip.mp4");
        await Ffmpeg.TestClipAsync(path, 320, 180, 1,
            ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", .. options, "-movflags", "frag_keyframe+empty_moov"]);
        return path;
    }

    [Fact]
    public async Task FromInitFile_HighProfileWithAac_ReturnsAvc1HighAndAacLc()
    {
        var path = await EncodeAsync("-profile:v", "high", "-c:a", "aac");

        var codecs = CodecString.FromInitFile(path);

        Assert.Matches("^avc1\\.64[0-9a-f]{4},mp4a\\.40\\.2$", codecs);
    }

    [Fact]
    public async Task FromInitFile_BaselineWithoutAudio_ReturnsOnlyAvc1Baseline()
    {
        var path = await EncodeAsync("-profile:v", "baseline", "-an");

        var codecs = CodecString.FromInitFile(path);

        Assert.StartsWith("avc1.42", codecs, StringComparison.Ordinal);
        Assert.DoesNotContain("mp4a", codecs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromInitFile_Level_MatchesTheEncodedLevel()
    {
        var path = await EncodeAsync("-profile:v", "main", "-level:v", "3.1", "-an");

        Assert.Equal("avc1.4d401f", CodecString.FromInitFile(path));
    }

    [Fact]
    public void FromInitSegment_BytesWithoutAvcC_ThrowsInvalidData()
    {
        var notVideo = Encoding.ASCII.GetBytes("\0\0\0\x18ftypisom\0\0\x02\0isomiso2\0\0\0\x08free");

        Assert.Throws<InvalidDataException>(() => CodecString.FromInitSegment(notVideo));
    }

    [Fact]
    public void FromInitSegment_AvcCTagCutOffBeforeItsPayload_ThrowsInvalidData()
    {
        var truncated = Encoding.ASCII.GetBytes("\0\0\0\x10avcC\x01\x64");

        Assert.Throws<InvalidDataException>(() => CodecString.FromInitSegment(truncated));
    }
}
