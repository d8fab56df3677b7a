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

    private async Task<string> EncodeAv1Async(string pixelFormat)
    {
        var path = _temp.Combine($"av1-{pixelFormat}.mp4");
        await Ffmpeg.TestClipAsync(path, 320, 180, 1,
            ["-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", pixelFormat, "-an", "-movflags", "frag_keyframe+empty_moov"]);
        return path;
    }

    [Fact]
    public async Task FromInitFile_Av1EightBit_ReturnsAv01MainLevelMainTierEightBits()
    {
        var path = await EncodeAv1Async("yuv420p");

        Assert.Equal("av01.0.00M.08", CodecString.FromInitFile(path)); // 320x180: level 2.0 (seq_level_idx 0)
    }

    [Fact]
    public async Task FromInitFile_Av1TenBit_ReturnsTenBits()
    {
        var path = await EncodeAv1Async("yuv420p10le");

        Assert.Equal("av01.0.00M.10", CodecString.FromInitFile(path));
    }

    /// <summary>An <c>av1C</c> box: marker and version, then profile and level, then tier and bit depth flags, then no delay.</summary>
    private static byte[] Av1C(byte first, byte profileAndLevel, byte flags) =>
        [0, 0, 0, 12, (byte)'a', (byte)'v', (byte)'1', (byte)'C', first, profileAndLevel, flags, 0];

    [Theory]
    [InlineData((0 << 5) | 8, 0b0000_1100, "av01.0.08M.08")] // main, level 4.0, main tier, 8 bits (4:2:0 flags)
    [InlineData((0 << 5) | 13, 0b1100_1100, "av01.0.13H.10")] // high tier, high_bitdepth: 10 bits
    [InlineData((1 << 5) | 9, 0b0100_0000, "av01.1.09M.10")] // High profile (4:4:4), level 4.1
    [InlineData((2 << 5) | 16, 0b1110_0000, "av01.2.16H.12")] // Professional: twelve_bit counts
    [InlineData((0 << 5) | 8, 0b0010_1100, "av01.0.08M.08")] // twelve_bit without high_bitdepth: still 8 bits
    public void FromInitSegment_HandBuiltAv1C_ProfileLevelTierAndBitDepth(int profileAndLevel, int flags, string expected)
    {
        Assert.Equal(expected, CodecString.FromInitSegment(Av1C(0x81, (byte)profileAndLevel, (byte)flags)));
    }

    [Fact]
    public void FromInitSegment_Av1CWithAudio_BothCommaSeparated()
    {
        byte[] esds = [0, 0, 0, 0x1f, (byte)'e', (byte)'s', (byte)'d', (byte)'s', 0, 0, 0, 0, 0x03, 0x11, 0, 1, 0, 0x04, 0x0d, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0x11, 0x90];

        Assert.Equal("av01.0.04M.08,mp4a.40.2", CodecString.FromInitSegment([.. Av1C(0x81, 4, 0x0c), .. esds]));
    }

    [Fact]
    public void FromInitSegment_Av1CWithAnotherVersion_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => CodecString.FromInitSegment(Av1C(0x82, 8, 0x0c)));
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
