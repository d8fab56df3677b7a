using System.Text;
using Vod.Media.Subtitles;

namespace Vod.Common.Tests.Media;

public class SubtitleTextTests
{
    [Fact]
    public void Parse_RealisticSrt_BecomesCleanWebVtt()
    {
        // As a Windows editor saves it: BOM, CRLF, HTML-ish tags, ASS overrides, a bare '&', numbers missing or out
        // of order, a dot for the comma, old X1/Y1 coordinates, a whitespace-only separator line.
        var srt = string.Join("\r\n",
            "1",
            "00:00:01,000 --> 00:00:03,500",
            "<i>Hello</i> & welcome",
            "{\\an8}<font color=\"#ffff00\">Top line</font>",
            "",
            "2",
            "00:00:04,000 --> 00:00:06,000 X1:100 X2:600 Y1:50 Y2:100",
            "Tom &amp; Jerry <B>bold</B> <U>u</U> <I>i</I>",
            "a < b > c, <3, &nbsp;&#233;&#x1F600; &copy",
            "   ",
            "5",
            "0:00:06.500 --> 00:00:08,000",
            "  {\\i1}Dot for the comma{\\i0}, one-digit hours  ",
            "",
            "",
            "00:00:09,000 --> 00:00:10,000",
            "No number at all<br/>",
            "");
        var doc = SubtitleText.Parse([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(srt)]);

        Assert.Equal(SubtitleFormat.Srt, doc.Format);
        Assert.Equal(
            "WEBVTT\n\n" +
            "00:00:01.000 --> 00:00:03.500\n<i>Hello</i> &amp; welcome\nTop line\n\n" +
            "00:00:04.000 --> 00:00:06.000\nTom &amp; Jerry <b>bold</b> <u>u</u> <i>i</i>\na &lt; b &gt; c, &lt;3, &nbsp;&#233;&#x1F600; &amp;copy\n\n" +
            "00:00:06.500 --> 00:00:08.000\nDot for the comma, one-digit hours\n\n" +
            "00:00:09.000 --> 00:00:10.000\nNo number at all\n\n",
            SubtitleText.ToWebVtt(doc.Cues));
        Assert.All(doc.Cues, c => Assert.Null(c.Id));
    }

    [Fact]
    public void Parse_SrtCueOfOnlyMarkup_IsDropped()
    {
        var doc = Parse("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=red></font>\n\n2\n00:00:03,000 --> 00:00:04,000\nKept\n");

        Assert.Equal([new SubtitleCue(S(3), S(4), "Kept")], doc.Cues);
    }

    [Fact]
    public void Parse_BlankLineInsideCueText_IsMoreTextOfThatCue()
    {
        // Editors (and ffmpeg, from other formats) write blank lines inside a cue's text; players show it as that cue's text.
        var doc = Parse("1\n00:00:01,000 --> 00:00:02,000\nFirst line\n\nSecond line\n\n2\n00:00:03,000 --> 00:00:04,000\nNext\n");

        Assert.Equal([new SubtitleCue(S(1), S(2), "First line\nSecond line"), new SubtitleCue(S(3), S(4), "Next")], doc.Cues);
    }

    [Fact]
    public void Parse_WebVtt_DropsNoteStyleRegionAndUnknownSettings_KeepsIdsTextAndPositioning()
    {
        var vtt = """
            WEBVTT - A title
            Kind: captions
            Language: en

            STYLE
            ::cue { color: yellow }

            REGION
            id:fred width:40%

            NOTE a comment
            over two lines

            intro
            00:01.000 --> 00:04.000 line:0 position:10%,line-left region:fred align:start size:35% vertical:rl foo:bar line:<x>
            <v Roger>Hello <c.yellow>there</c> &amp; <00:00:02.000>you
            Second line

            00:00:05.000 --> 00:00:06.000
            No id, no settings

            NOTE
            the end
            """;

        var doc = Parse(vtt);

        Assert.Equal(SubtitleFormat.WebVtt, doc.Format);
        Assert.Equal(
        [
            new SubtitleCue(S(1), S(4), "<v Roger>Hello <c.yellow>there</c> &amp; <00:00:02.000>you\nSecond line", "intro",
                "line:0 position:10%,line-left align:start size:35% vertical:rl"),
            new SubtitleCue(S(5), S(6), "No id, no settings"),
        ], doc.Cues);
    }

    [Fact]
    public void Parse_FfmpegWebVtt_IsRead()
    {
        // What ffmpeg (5.1) writes for an SRT stream: hours only when needed, text as it was, no blank line at the end.
        var doc = Parse("WEBVTT\n\n00:01.000 --> 00:02.500\n<i>Hello</i> & bye\n\n01:00:03.000 --> 01:00:04.000\nTop\n");

        Assert.Equal([new SubtitleCue(S(1), S(2.5), "<i>Hello</i> & bye"), new SubtitleCue(S(3603), S(3604), "Top")], doc.Cues);
    }

    [Fact]
    public void Parse_WebVttCueWithoutText_IsDropped()
    {
        // ffmpeg writes such cues when a source subtitle event is empty.
        var doc = Parse("WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\nKept\n");

        Assert.Equal([new SubtitleCue(S(3), S(4), "Kept")], doc.Cues);
    }

    [Theory]
    [InlineData("WEBVTT")]
    [InlineData("WEBVTT title")]
    [InlineData("WEBVTT\ttitle")]
    public void Parse_WebVttSignature_IsDetectedFromContent(string signature)
    {
        // The first cue may follow the header with no blank line, as the W3C parser allows.
        var doc = Parse(signature + "\r00:00:01.000 --> 00:00:02.000\rCR line endings\r");

        Assert.Equal(SubtitleFormat.WebVtt, doc.Format);
        Assert.Equal([new SubtitleCue(S(1), S(2), "CR line endings")], doc.Cues);
    }

    [Fact]
    public void Parse_WebVttHoursOfManyDigits_AreRead()
    {
        var doc = Parse("WEBVTT\n\n123:00:00.000 --> 123:00:01.000\nLate\n");

        Assert.Equal(TimeSpan.FromHours(123), doc.Cues[0].Start);
        Assert.StartsWith("WEBVTT\n\n123:00:00.000 --> 123:00:01.000\n", SubtitleText.ToWebVtt(doc.Cues), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TimestampMap_ShiftsCuesToMediaTime()
    {
        // MPEGTS 900000 is 10 s: cue time 0 is media time 10 s.
        var doc = Parse("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.500\nA\n");

        Assert.Equal([new SubtitleCue(S(11), S(12.5), "A")], doc.Cues);
    }

    [Fact]
    public void Parse_TimestampMap_FieldsInEitherOrder()
    {
        var doc = Parse("WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:02.000,MPEGTS:180000\n\n00:00:03.000 --> 00:00:04.000\nA\n");

        Assert.Equal([new SubtitleCue(S(3), S(4), "A")], doc.Cues);
    }

    [Fact]
    public void Parse_TimestampMapBeforeZero_CutsAtZeroAndDropsEarlierCues()
    {
        var doc = Parse("""
            WEBVTT
            X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:10.000

            00:00:05.000 --> 00:00:08.000
            Gone

            00:00:09.000 --> 00:00:12.000
            Cut

            00:00:15.000 --> 00:00:16.000
            Shifted
            """);

        Assert.Equal([new SubtitleCue(TimeSpan.Zero, S(2), "Cut"), new SubtitleCue(S(5), S(6), "Shifted")], doc.Cues);
    }

    [Fact]
    public void Parse_MalformedTimestampMap_IsRefused()
    {
        var reason = Refused("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:abc,LOCAL:00:00:00.000\n\n00:01.000 --> 00:02.000\nA\n");

        Assert.Contains("line 2", reason, StringComparison.Ordinal);
        Assert.Contains("X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_Utf16WithBom_IsDecoded(bool bigEndian)
    {
        var encoding = bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode;
        var text = "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nGrüße – 日本語 😀\r\n";

        var doc = SubtitleText.Parse([.. encoding.GetPreamble(), .. encoding.GetBytes(text)]);

        Assert.Equal([new SubtitleCue(S(1), S(2), "Grüße – 日本語 😀")], doc.Cues);
    }

    [Fact]
    public void Parse_Utf16Invalid_IsRefused()
    {
        byte[] oddLength = [0xFF, 0xFE, (byte)'W', 0, (byte)'E'];
        byte[] loneSurrogate = [0xFF, 0xFE, (byte)'W', 0, 0x00, 0xD8, (byte)'E', 0];
        byte[] nul = [0xFE, 0xFF, 0, (byte)'W', 0, 0];

        Assert.Contains("odd number of bytes", Refused(oddLength), StringComparison.Ordinal);
        Assert.Contains("unpaired surrogate 0xD800 at offset 4", Refused(loneSurrogate), StringComparison.Ordinal);
        Assert.Contains("binary character U+0000 at offset 4", Refused(nul), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t\n\f ")]
    [InlineData("\uFEFF")] // a BOM and nothing else
    public void Parse_Empty_IsRefused(string text)
    {
        Assert.Equal("the file is empty", Refused(text));
    }

    [Fact]
    public void Parse_OverMaxBytes_IsRefusedWithTheLimit()
    {
        var reason = Refused(new byte[SubtitleText.MaxBytes + 1]);

        Assert.Contains("4194305 bytes", reason, StringComparison.Ordinal);
        Assert.Contains("limit of 4194304 bytes", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("000000206674797069736F6D00000200", "an MP4 video, not subtitles")]
    [InlineData("00000014667479707174202000000000", "a QuickTime (MOV) video")]
    [InlineData("1A45DFA3A34286810142F7810142F281", "a Matroska or WebM video")]
    [InlineData("89504E470D0A1A0A0000000D49484452", "a PNG image")]
    [InlineData("FFD8FFE000104A464946000101", "a JPEG image")]
    [InlineData("4749463839610100010080", "a GIF image")] // GIF89a
    [InlineData("255044462D312E370A", "a PDF document")] // %PDF-1.7
    [InlineData("504B0304140000000800", "a ZIP archive, not subtitles; unzip it")]
    [InlineData("4F676753000200000000", "an Ogg audio or video file")]
    [InlineData("52494646240800005741564566", "a WAV audio file")] // RIFF....WAVE
    [InlineData("52494646240800004156492020", "an AVI video")] // RIFF....AVI
    public void Parse_KnownBinary_IsNamed(string hex, string expected)
    {
        var reason = Refused(Convert.FromHexString(hex));

        Assert.StartsWith("the file is " + expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MpegTs_IsNamed()
    {
        var ts = new byte[188 * 3];
        for (var i = 0; i < ts.Length; i += 188)
        {
            ts[i] = 0x47;
            ts[i + 1] = 0x40;
        }

        Assert.Equal("the file is an MPEG transport stream (TS video), not subtitles", Refused(ts));
    }

    [Fact]
    public void Parse_TextStartingWithG_IsNotCalledTransportStream()
    {
        Assert.Contains("neither WebVTT", Refused("G" + new string('x', 400)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WEBVTT\n\n00:01.000 --> 00:02.000\nA\0B\n", "binary byte 0x00 at offset 33")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nbell\u0007\n", "binary byte 0x07 at offset 36")]
    public void Parse_ControlByte_IsNotText(string text, string expected)
    {
        var reason = Refused(text);

        Assert.StartsWith("the file is not a text file", reason, StringComparison.Ordinal);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Latin1_IsNotUtf8WithOffsetAndLine()
    {
        byte[] latin1 = [.. "1\r\n00:00:01,000 --> 00:00:02,000\r\nCaf"u8, 0xE9, (byte)'\r', (byte)'\n'];

        var reason = Refused(latin1);

        Assert.StartsWith("the file is not UTF-8 text (invalid byte 0xE9 at offset 37, line 3)", reason, StringComparison.Ordinal);
        Assert.EndsWith("save it as UTF-8", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedUtf8AfterBom_CountsTheBomInTheOffset()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. "WEBVTT\n"u8, 0xE2, 0x82];

        Assert.Contains("invalid byte 0xE2 at offset 10, line 2", Refused(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Utf16WithoutBom_IsExplained()
    {
        Assert.Contains("UTF-16 text without a byte order mark", Refused(Encoding.Unicode.GetBytes("WEBVTT\n")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hello world\nThis is not subtitles\n")]
    [InlineData("webvtt\n\n00:01.000 --> 00:02.000\nA\n")] // the signature is case-sensitive
    [InlineData("WEBVTTX\n\n00:01.000 --> 00:02.000\nA\n")]
    [InlineData("\nWEBVTT\n\n00:01.000 --> 00:02.000\nA\n")] // must be the first line
    [InlineData("1\n00:00:01 --> 00:00:02\nNo milliseconds\n")]
    public void Parse_NeitherFormat_IsRefused(string text)
    {
        Assert.Equal(
            "the file is neither WebVTT (it must start with the line WEBVTT) nor SRT (numbered cues with timings like 00:00:01,000 --> 00:00:02,500)",
            Refused(text));
    }

    [Theory]
    [InlineData("[Script Info]\nTitle: x\n", "ASS/SSA")]
    [InlineData("<?xml version=\"1.0\"?>\n<tt xmlns=\"http://www.w3.org/ns/ttml\"/>\n", "TTML")]
    [InlineData("#EXTM3U\n#EXT-X-VERSION:3\n", "HLS playlist")]
    public void Parse_OtherSubtitleFormat_IsNamed(string text, string expected)
    {
        Assert.Contains(expected, Refused(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedSrtTiming_NamesCueAndLine()
    {
        var srt = "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n\n3\n00:00:05,000 -> 00:00:06,000\nC\n";

        Assert.Equal(
            "cue 3 (line 10): malformed timing '00:00:05,000 -> 00:00:06,000'; it must read like 00:00:01,000 --> 00:00:02,500",
            Refused(srt));
    }

    [Theory]
    [InlineData("75:00.000 --> 76:00.000")] // minutes over 59
    [InlineData("00:00:60.000 --> 00:01:00.000")] // seconds over 59
    [InlineData("00:01.00 --> 00:02.000")] // two digits of milliseconds
    [InlineData("0:01.000 --> 00:02.000")] // one digit of minutes
    [InlineData("00:00:01,000 --> 00:00:02,000")] // comma is SRT, not WebVTT
    [InlineData("00:01.000 --> 00:02.000line:0")] // settings glued to the time
    public void Parse_MalformedWebVttTiming_NamesCueAndLine(string timing)
    {
        var reason = Refused("WEBVTT\n\nfirst\n00:00.500 --> 00:00.900\nA\n\n" + timing + "\nB\n");

        Assert.Equal($"cue 2 (line 7): malformed timing '{timing}'; it must read like 00:00:01.000 --> 00:00:02.500", reason);
    }

    [Fact]
    public void Parse_MalformedTiming_QuotesAtMost60Characters()
    {
        var timing = "00:01.000 --> 00:02.000x" + new string('y', 100);

        var reason = Refused("WEBVTT\n\n" + timing + "\nA\n");

        Assert.Contains($"malformed timing '{timing[..60]}...'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CueNotEndingAfterStart_IsRefused()
    {
        var srt = "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n\n3\n00:00:05,000 --> 00:00:05,000\nC\n";

        Assert.Equal("cue 3 (line 10) ends at 00:00:05.000, not after its start 00:00:05.000", Refused(srt));
    }

    [Fact]
    public void Parse_CueOutOfOrder_IsRefused()
    {
        var srt = "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n\n" +
            "3\n00:00:05,000 --> 00:00:06,000\nC\n\n4\n00:00:03,000 --> 00:00:07,000\nD\n";

        Assert.Equal("cue 4 (line 14) starts at 00:00:03.000, before cue 3 at 00:00:05.000: cues must be in time order", Refused(srt));
    }

    [Fact]
    public void Parse_CuesStartingTogether_AreInOrder()
    {
        var doc = Parse("WEBVTT\n\n00:01.000 --> 00:03.000\nA\n\n00:01.000 --> 00:02.000\nB\n");

        Assert.Equal(2, doc.Cues.Count);
    }

    [Theory]
    [InlineData("WEBVTT\n")]
    [InlineData("WEBVTT\nKind: captions\n\nNOTE nothing here\n")]
    [InlineData("WEBVTT\n\n00:01.000 --> 00:02.000\n")] // its only cue has no text
    public void Parse_NoCues_IsRefused(string text)
    {
        Assert.Equal("the file has no cues", Refused(text));
    }

    [Fact]
    public void Parse_MaxCues_IsTheLimit()
    {
        static byte[] Cues(int count)
        {
            var srt = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                srt.Append(SubtitleText.ToWebVtt([new SubtitleCue(TimeSpan.FromSeconds(i), TimeSpan.FromSeconds(i + 1), "x")])[8..]);
            }

            return Encoding.UTF8.GetBytes("WEBVTT\n\n" + srt);
        }

        Assert.Equal(SubtitleText.MaxCues, SubtitleText.Parse(Cues(SubtitleText.MaxCues)).Cues.Count);
        Assert.Contains("more than 20000 cues", Refused(Cues(SubtitleText.MaxCues + 1)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n", 5, "00:00:03,000 --> 00:00:04,000")] // blank line forgotten
    [InlineData("WEBVTT\n\n00:01.000 --> 00:02.000\nSee --> there\n", 4, "See --> there")]
    public void Parse_ArrowInText_IsRefused(string text, int line, string quoted)
    {
        Assert.Equal(
            $"cue 1 (line {line}): the text line '{quoted}' contains '-->', which players read as a timing line; if a new cue starts there, put a blank line before it",
            Refused(text));
    }

    [Fact]
    public void Parse_ArrowInNote_IsRefused()
    {
        var reason = Refused("WEBVTT\n\nNOTE a comment\nmore comment\n00:01.000 --> 00:02.000\nA\n");

        Assert.Equal("line 5: a NOTE block contains '-->'; put a blank line between the NOTE block and the cue that follows it", reason);
    }

    [Theory]
    [InlineData("NOTE")]
    [InlineData("STYLE")]
    [InlineData("REGION")]
    public void Parse_KeywordFollowedByTiming_IsACueId(string id)
    {
        // As in the W3C parser: a timing line on the second line makes the block a cue.
        var cues = new[] { new SubtitleCue(S(1), S(2), "A", id) };

        Assert.Equal(cues, SubtitleText.Parse(Encoding.UTF8.GetBytes(SubtitleText.ToWebVtt(cues))).Cues);
    }

    [Fact]
    public void Parse_PathologicalMarkup_IsLinear()
    {
        // Unclosed override blocks and tags on one long line: each character must be looked at a bounded number of times.
        var line = string.Concat(Enumerable.Repeat("{\\<a ", (SubtitleText.MaxBytes - 100) / 5));
        var srt = "1\n00:00:01,000 --> 00:00:02,000\n" + line + "\n";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var doc = Parse(srt);

        Assert.StartsWith("{\\&lt;a {\\&lt;a ", doc.Cues[0].Text, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Parse_TextBeforeAnyCue_IsRefused()
    {
        Assert.Equal(
            "line 3: 'Stray text' is not in a cue; each cue needs a timing line like 00:00:01.000 --> 00:00:02.500",
            Refused("WEBVTT\n\nStray text\n\n00:01.000 --> 00:02.000\nA\n"));
    }

    [Fact]
    public void Parse_Duration_RefusesCuesStartingOneSecondAfterTheEnd()
    {
        var tenMinutes = TimeSpan.FromMinutes(10);
        static string Srt(string start, string end) => $"1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n{start} --> {end}\nB\n";

        Assert.Equal(2, Parse(Srt("00:10:00,999", "00:10:02,000"), tenMinutes).Cues.Count);
        Assert.Equal(2, Parse(Srt("00:30:00,000", "00:30:02,000")).Cues.Count); // no duration, no check
        Assert.Equal(
            "cue 2 (line 6) starts at 00:10:01.000, after the end of the video at 00:10:00.000; are these the subtitles of this title?",
            Refused(Srt("00:10:01,000", "00:10:02,000"), tenMinutes));
    }

    [Fact]
    public void ToWebVtt_ExactOutput()
    {
        SubtitleCue[] cues =
        [
            new(TimeSpan.FromMilliseconds(1500), S(3), "Hello\nWorld", "intro", "line:0 align:start"),
            new(new TimeSpan(0, 1, 2, 3, 456), new TimeSpan(0, 1, 2, 5), "<i>Bye</i>"),
        ];

        Assert.Equal(
            "WEBVTT\n\nintro\n00:00:01.500 --> 00:00:03.000 line:0 align:start\nHello\nWorld\n\n01:02:03.456 --> 01:02:05.000\n<i>Bye</i>\n\n",
            SubtitleText.ToWebVtt(cues));
    }

    [Theory]
    [InlineData(2, 1, "A", null, "")]
    [InlineData(1, 2, "A\n\nB", null, "")]
    [InlineData(1, 2, "", null, "")]
    [InlineData(1, 2, "a --> b", null, "")]
    [InlineData(1, 2, "A", "x\ny", "")]
    [InlineData(1, 2, "A", "", "")]
    [InlineData(1, 2, "A", null, "line:0\n")]
    public void ToWebVtt_CueThatWouldBreakTheFile_IsArgumentException(int start, int end, string text, string? id, string settings)
    {
        var e = Assert.Throws<ArgumentException>(() => SubtitleText.ToWebVtt([new SubtitleCue(S(start), S(end), text, id, settings)]));

        Assert.StartsWith("cue 1 ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToWebVtt_ParsesBackToTheSameCues()
    {
        var original = Parse("""
            WEBVTT

            intro
            00:00:01.000 --> 00:00:02.000 position:10% align:start
            <i>Hello</i> &amp; welcome
            Line two

            00:59:59.999 --> 01:00:00.001
            Across the hour

            01:00:00.001 --> 123:00:00.000 line:-1
            Long
            """).Cues;

        var parsed = SubtitleText.Parse(Encoding.UTF8.GetBytes(SubtitleText.ToWebVtt(original)));

        Assert.Equal(SubtitleFormat.WebVtt, parsed.Format);
        Assert.Equal(original, parsed.Cues);
        Assert.Equal(3, original.Count);
    }

    [Fact]
    public void ToWebVtt_OfConvertedSrt_ParsesBackToTheSameCues()
    {
        var original = Parse("1\n00:00:01,000 --> 00:00:02,000\n<font color=red>A & B</font> <I>c</I>\n\n2\n01:00:00,000 --> 01:00:01,000\n{\\an8}x < y\n").Cues;

        Assert.Equal(original, SubtitleText.Parse(Encoding.UTF8.GetBytes(SubtitleText.ToWebVtt(original))).Cues);
    }

    [Fact]
    public void MediaPlaylist_ExactOutput()
    {
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5026\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
            "#EXTINF:5025.200,\nsubtitles_en-US.vtt\n#EXT-X-ENDLIST\n",
            SubtitleText.MediaPlaylist("subtitles_en-US.vtt", 5025.2));
    }

    [Theory]
    [InlineData(10.0, "10", "10.000")]
    [InlineData(0.2, "1", "0.200")] // at least 1
    [InlineData(59.9996, "60", "60.000")]
    [InlineData(60.0004, "60", "60.000")] // the written duration decides, so TARGETDURATION is never below it
    public void MediaPlaylist_TargetDurationIsTheSegmentRoundedUp(double seconds, string target, string extinf)
    {
        var playlist = SubtitleText.MediaPlaylist("s.vtt", seconds);

        Assert.Contains($"#EXT-X-TARGETDURATION:{target}\n", playlist, StringComparison.Ordinal);
        Assert.Contains($"#EXTINF:{extinf},\ns.vtt\n", playlist, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../s.vtt")]
    [InlineData("a/s.vtt")]
    [InlineData(".s.vtt")]
    [InlineData("s s.vtt")]
    [InlineData("s.vtt\n#EXT-X-ENDLIST")]
    [InlineData("https://evil.example/s.vtt")]
    public void MediaPlaylist_UnsafeName_IsArgumentException(string name)
    {
        Assert.Throws<ArgumentException>(() => SubtitleText.MediaPlaylist(name, 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void MediaPlaylist_NonPositiveDuration_IsArgumentException(double seconds)
    {
        Assert.ThrowsAny<ArgumentException>(() => SubtitleText.MediaPlaylist("s.vtt", seconds));
    }

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static SubtitleDocument Parse(string text, TimeSpan? duration = null) => SubtitleText.Parse(Encoding.UTF8.GetBytes(text), duration);

    private static string Refused(string text, TimeSpan? duration = null) => Refused(Encoding.UTF8.GetBytes(text), duration);

    private static string Refused(byte[] bytes, TimeSpan? duration = null) =>
        Assert.Throws<SubtitleRejectedException>(() => SubtitleText.Parse(bytes, duration)).Message;
}
