using System.Globalization;
using System.Text;

namespace Vod.Media.Subtitles;

/// <summary>One cue, its times from the file's zero.</summary>
/// <param name="Text">WebVTT cue text: lines joined by <c>\n</c>, never empty, never a blank line, never <c>--&gt;</c>.</param>
/// <param name="Id">The WebVTT cue identifier, when the file had one (SRT cue numbers are not kept).</param>
/// <param name="Settings">The WebVTT cue settings kept (<c>line:</c>, <c>position:</c>...), space-separated; may be empty.</param>
public sealed record SubtitleCue(TimeSpan Start, TimeSpan End, string Text, string? Id = null, string Settings = "");

/// <summary>
/// The subtitle file cannot be used, whatever the retry. The message is one sentence for the admin who uploaded it
/// (the origin answers 422 with it): what is wrong and where (cue, line, byte offset).
/// </summary>
public sealed class SubtitleRejectedException(string reason) : Exception(reason);

/// <summary>The format a file was detected as, from its content.</summary>
public enum SubtitleFormat
{
    WebVtt,
    Srt,
}

/// <summary>A parsed file: its cues in time order, in WebVTT form whatever the input format.</summary>
public sealed record SubtitleDocument(SubtitleFormat Format, IReadOnlyList<SubtitleCue> Cues);

/// <summary>
/// Uploaded subtitle files (SRT or WebVTT) and the WebVTT that ffmpeg extracts from a source both pass through here:
/// they are checked and rewritten into one clean WebVTT form, so every player (hls.js, Shaka, dash.js, Safari) reads
/// the same thing and a bad file is refused at upload with a reason, not discovered by a viewer. Pure code on bytes:
/// no files, no culture data.
/// </summary>
public static class SubtitleText
{
    /// <summary>The largest subtitle file accepted (callers answer 413 before reading more). A feature film's SRT is about 100 KB.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>More cues than any real title has (a dense three-hour film has about 3,000); bounds the work per file.</summary>
    public const int MaxCues = 20_000;

    private const string Arrow = "-->";
    private const int QuoteLength = 60;

    private static readonly string[] KeptSettings = ["vertical", "line", "position", "size", "align"];

    /// <summary>
    /// Detects the format from the content (an SRT named .vtt is still SRT) and parses it into cues in time order.
    /// What is not kept: NOTE, STYLE and REGION blocks, header metadata, cue settings other than positioning, cues
    /// with no text, and SRT markup WebVTT has no use for. A WebVTT header's <c>X-TIMESTAMP-MAP=MPEGTS:n,LOCAL:t</c>
    /// is applied to the cue times (shifted by n/90000 s - t), so the output needs none.
    /// </summary>
    /// <param name="duration">
    /// The title's duration, when known: a cue starting at or after it plus one second is refused, since it means the
    /// subtitles of another title (or another cut) were uploaded.
    /// </param>
    /// <exception cref="SubtitleRejectedException">The file is not usable subtitles; the message says why and where.</exception>
    public static SubtitleDocument Parse(ReadOnlySpan<byte> bytes, TimeSpan? duration = null)
    {
        var text = SubtitleBytes.Decode(bytes);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SubtitleRejectedException("the file is empty");
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        if (IsWebVttSignature(lines[0]))
        {
            return new SubtitleDocument(SubtitleFormat.WebVtt, new CueReader(lines, SubtitleFormat.WebVtt, duration).Read());
        }

        if (StartsLikeSrt(lines))
        {
            return new SubtitleDocument(SubtitleFormat.Srt, new CueReader(lines, SubtitleFormat.Srt, duration).Read());
        }

        throw new SubtitleRejectedException(OtherFormat(lines.First(l => !IsBlank(l)).Trim()) ??
            "the file is neither WebVTT (it must start with the line WEBVTT) nor SRT (numbered cues with timings like 00:00:01,000 --> 00:00:02,500)");
    }

    /// <summary>
    /// The cues as a WebVTT file: <c>WEBVTT</c>, a blank line, then each cue as an optional id line, a timing line
    /// with hours always written (<c>00:01:02.500</c>), its text and a blank line. No header metadata: the times are
    /// already from the media's zero. Callers write it as UTF-8 without BOM.
    /// </summary>
    /// <exception cref="ArgumentException">A cue cannot be written as WebVTT (negative or empty time range, text that would break the file).</exception>
    public static string ToWebVtt(IReadOnlyList<SubtitleCue> cues)
    {
        ArgumentNullException.ThrowIfNull(cues);
        var vtt = new StringBuilder("WEBVTT\n\n");
        for (var i = 0; i < cues.Count; i++)
        {
            var cue = cues[i];
            var problem = cue.Start < TimeSpan.Zero ? "starts before zero"
                : cue.End <= cue.Start ? "does not end after it starts"
                : string.IsNullOrWhiteSpace(cue.Text) || cue.Text.Split('\n').Any(IsBlank) ? "has empty text or a blank line in its text"
                : cue.Text.Contains(Arrow, StringComparison.Ordinal) || cue.Text.Contains('\r', StringComparison.Ordinal) ? "has '-->' or a carriage return in its text"
                : cue.Id is not null && (IsBlank(cue.Id) || cue.Id.Contains(Arrow, StringComparison.Ordinal) || cue.Id.AsSpan().ContainsAny('\n', '\r')) ? "has an id that is blank, spans lines or contains '-->'"
                : cue.Settings.Contains(Arrow, StringComparison.Ordinal) || cue.Settings.AsSpan().ContainsAny('\n', '\r') ? "has settings that span lines or contain '-->'"
                : null;
            if (problem is not null)
            {
                throw new ArgumentException($"cue {i + 1} {problem}", nameof(cues));
            }

            if (cue.Id is not null)
            {
                vtt.Append(cue.Id).Append('\n');
            }

            vtt.Append(FormatTime(cue.Start)).Append(" --> ").Append(FormatTime(cue.End));
            if (cue.Settings.Length > 0)
            {
                vtt.Append(' ').Append(cue.Settings);
            }

            vtt.Append('\n').Append(cue.Text).Append("\n\n");
        }

        return vtt.ToString();
    }

    /// <summary>
    /// The HLS media playlist (RFC 8216) of a subtitle rendition that is one WebVTT file for the whole title: a single
    /// segment as long as the title. The target duration is the segment's duration (as written, 3 decimals) rounded
    /// up, as the RFC requires, and at least 1.
    /// </summary>
    /// <param name="vttFileName">The WebVTT file's name, relative to the playlist: letters, digits, '.', '_' and '-', starting with a letter or digit.</param>
    /// <exception cref="ArgumentException">The name is not a plain file name, or the duration is not a positive number.</exception>
    public static string MediaPlaylist(string vttFileName, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(vttFileName);
        if (vttFileName.Length is 0 or > 255 || !char.IsAsciiLetterOrDigit(vttFileName[0]) ||
            !vttFileName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{vttFileName}' is not a plain file name (letters, digits, '.', '_', '-')", nameof(vttFileName));
        }

        if (!double.IsFinite(durationSeconds) || durationSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(durationSeconds), durationSeconds, "the duration must be a positive number of seconds");
        }

        var segment = Math.Round(durationSeconds, 3, MidpointRounding.AwayFromZero);
        var target = Math.Max(1, (long)Math.Ceiling(segment));
        return string.Create(CultureInfo.InvariantCulture, $"""
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:{target}
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXTINF:{segment:0.000},
            {vttFileName}
            #EXT-X-ENDLIST

            """).ReplaceLineEndings("\n");
    }

    /// <summary>A time as WebVTT and the error messages write it: <c>HH:MM:SS.mmm</c>, hours two digits or more.</summary>
    internal static string FormatTime(TimeSpan time)
    {
        var ms = time.Ticks / TimeSpan.TicksPerMillisecond;
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}.{ms % 1000:000}");
    }

    /// <summary>Blank for block splitting: empty or only whitespace (a line of spaces between SRT cues is a separator to every player).</summary>
    private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

    /// <summary>The WebVTT signature line: <c>WEBVTT</c> alone, or followed by a space or tab and any text.</summary>
    private static bool IsWebVttSignature(string line) =>
        line.StartsWith("WEBVTT", StringComparison.Ordinal) && (line.Length == 6 || line[6] is ' ' or '\t');

    /// <summary>The first block is an optional cue number and an SRT timing line.</summary>
    private static bool StartsLikeSrt(string[] lines)
    {
        var first = Array.FindIndex(lines, l => !IsBlank(l));
        var timing = IsInteger(lines[first]) && first + 1 < lines.Length ? lines[first + 1] : lines[first];
        return Timing.TryParse(timing, SubtitleFormat.Srt, out _);
    }

    /// <summary>A reason naming the subtitle or text formats people upload instead of SRT or WebVTT, else null.</summary>
    private static string? OtherFormat(string firstLine) =>
        firstLine.StartsWith("[Script Info]", StringComparison.OrdinalIgnoreCase)
            ? "the file is ASS/SSA subtitles, which are not supported; convert it to WebVTT or SRT (for example: ffmpeg -i subtitles.ass subtitles.vtt)"
            : firstLine.StartsWith("#EXTM3U", StringComparison.Ordinal)
            ? "the file is an HLS playlist (m3u8), not subtitles; upload the WebVTT file itself"
            : firstLine.StartsWith('<')
            ? "the file is XML or HTML (such as TTML, DFXP or SAMI subtitles), which is not supported; convert it to WebVTT or SRT"
            : null;

    private static bool IsInteger(string line)
    {
        var trimmed = line.AsSpan().Trim();
        return !trimmed.IsEmpty && !trimmed.ContainsAnyExceptInRange('0', '9');
    }

    private static string Quote(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length <= QuoteLength ? trimmed : string.Concat(trimmed.AsSpan(0, QuoteLength), "...");
    }

    /// <summary>
    /// One timing line. WebVTT (W3C): <c>[H+:]MM:SS.mmm --&gt; [H+:]MM:SS.mmm [settings]</c>, minutes and seconds two
    /// digits under 60, milliseconds three digits. SRT: hours always there (1-3 digits), a comma (or, from some
    /// editors, a dot) before the milliseconds, and anything after the end time (old <c>X1:...</c> coordinates) ignored.
    /// </summary>
    private static class Timing
    {
        /// <summary>Eight digits of hours at most: 11,000 years, and far from overflowing ticks.</summary>
        private const int MaxHourDigits = 8;

        public static bool TryParse(string line, SubtitleFormat format, out (TimeSpan Start, TimeSpan End, string Settings) timing)
        {
            timing = default;
            var pos = 0;
            SkipWhitespace(line, ref pos);
            if (!TryTimestamp(line, ref pos, format, out var start))
            {
                return false;
            }

            SkipWhitespace(line, ref pos);
            if (string.CompareOrdinal(line, pos, Arrow, 0, Arrow.Length) != 0)
            {
                return false;
            }

            pos += Arrow.Length;
            SkipWhitespace(line, ref pos);
            if (!TryTimestamp(line, ref pos, format, out var end) || (pos < line.Length && line[pos] is not (' ' or '\t')))
            {
                return false;
            }

            timing = (start, end, format == SubtitleFormat.WebVtt ? KeptCueSettings(line[pos..]) : "");
            return true;
        }

        /// <summary>A whole string that is one WebVTT timestamp.</summary>
        public static bool TryParseTimestamp(string s, out TimeSpan value)
        {
            var pos = 0;
            return TryTimestamp(s, ref pos, SubtitleFormat.WebVtt, out value) && pos == s.Length;
        }

        private static bool TryTimestamp(string s, ref int pos, SubtitleFormat format, out TimeSpan value)
        {
            value = default;
            var first = Digits(s, ref pos, out var firstValue);
            if (first == 0 || !Skip(s, ref pos, ':') || Digits(s, ref pos, out var second) != 2)
            {
                return false;
            }

            long hours, minutes, seconds;
            if (Skip(s, ref pos, ':'))
            {
                if (first > (format == SubtitleFormat.Srt ? 3 : MaxHourDigits) || Digits(s, ref pos, out seconds) != 2)
                {
                    return false;
                }

                (hours, minutes) = (firstValue, second);
            }
            else if (format == SubtitleFormat.WebVtt && first == 2)
            {
                (hours, minutes, seconds) = (0, firstValue, second);
            }
            else
            {
                return false;
            }

            var separator = pos < s.Length && (s[pos] == '.' || (format == SubtitleFormat.Srt && s[pos] == ','));
            pos++;
            if (!separator || Digits(s, ref pos, out var ms) != 3 || minutes > 59 || seconds > 59)
            {
                return false;
            }

            value = TimeSpan.FromMilliseconds((((hours * 60) + minutes) * 60 + seconds) * 1000 + ms);
            return true;
        }

        /// <summary>Reads ASCII digits (at most 18 counted into the value) and returns how many there were.</summary>
        private static int Digits(string s, ref int pos, out long value)
        {
            value = 0;
            var start = pos;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                if (pos - start < 18)
                {
                    value = (value * 10) + (s[pos] - '0');
                }

                pos++;
            }

            return pos - start;
        }

        private static bool Skip(string s, ref int pos, char c)
        {
            if (pos < s.Length && s[pos] == c)
            {
                pos++;
                return true;
            }

            return false;
        }

        private static void SkipWhitespace(string s, ref int pos)
        {
            while (pos < s.Length && s[pos] is ' ' or '\t' or '\f')
            {
                pos++;
            }
        }

        /// <summary>
        /// The positioning settings every player supports, with plain values. <c>region:</c> goes with the REGION
        /// blocks, which are dropped; anything unknown or odd-looking is dropped too rather than passed to players.
        /// </summary>
        private static string KeptCueSettings(string settings) => string.Join(' ', settings
            .Split([' ', '\t', '\f'], StringSplitOptions.RemoveEmptyEntries)
            .Where(setting => setting.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon &&
                KeptSettings.Contains(setting[..colon], StringComparer.Ordinal) &&
                colon + 1 < setting.Length &&
                setting.Skip(colon + 1).All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '%' or ',' or '-')));
    }

    /// <summary>
    /// Reads the cues of a detected file, block by block (blocks are separated by blank lines). A cue block is an
    /// optional identifier line (WebVTT) or cue number (SRT), the timing line and the text lines. A block without a
    /// timing line after a cue is more text of that cue: a blank line inside a cue's text is the usual cause (editors
    /// write them; ffmpeg copies them from other formats), and ffmpeg's own SRT reader keeps such text in the cue too.
    /// </summary>
    private sealed class CueReader(string[] lines, SubtitleFormat format, TimeSpan? duration)
    {
        private readonly List<SubtitleCue> _cues = [];
        private readonly List<string> _pendingText = [];
        private TimeSpan _shift;
        private int _cueNumber;
        private TimeSpan _lastStart = TimeSpan.MinValue;
        private (TimeSpan Start, TimeSpan End, string? Id, string Settings)? _pending;

        private string TimingExample => format == SubtitleFormat.Srt ? "00:00:01,000 --> 00:00:02,500" : "00:00:01.000 --> 00:00:02.500";

        public List<SubtitleCue> Read()
        {
            var i = format == SubtitleFormat.WebVtt ? ReadHeader() : 0;
            while (i < lines.Length)
            {
                if (IsBlank(lines[i]))
                {
                    i++;
                    continue;
                }

                var first = i;
                while (i < lines.Length && !IsBlank(lines[i]))
                {
                    i++;
                }

                ReadBlock(first, i - first);
            }

            Flush();
            return _cues.Count > 0 ? _cues : throw new SubtitleRejectedException("the file has no cues");
        }

        /// <summary>
        /// The WebVTT header: the signature line and the lines up to the first blank line (or up to a timing line, which
        /// starts the first cue, as in the W3C parser). Only <c>X-TIMESTAMP-MAP</c> matters; other metadata is dropped.
        /// </summary>
        private int ReadHeader()
        {
            var i = 1;
            for (; i < lines.Length && !IsBlank(lines[i]) && !lines[i].Contains(Arrow, StringComparison.Ordinal); i++)
            {
                if (lines[i].StartsWith("X-TIMESTAMP-MAP=", StringComparison.Ordinal))
                {
                    _shift = TimestampMapShift(lines[i], i + 1);
                }
            }

            return i;
        }

        /// <summary>
        /// HLS WebVTT segments carry <c>X-TIMESTAMP-MAP=MPEGTS:n,LOCAL:t</c>: cue time t is media time n/90000 s. The
        /// output has no map (it is one file from the media's zero), so cue times are shifted by n/90000 - t here
        /// (rounded to the millisecond); a cue the shift moves before zero is cut at zero, or dropped if it ends there.
        /// </summary>
        private static TimeSpan TimestampMapShift(string line, int lineNumber)
        {
            long? mpegTs = null;
            TimeSpan? local = null;
            foreach (var field in line["X-TIMESTAMP-MAP=".Length..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (field.StartsWith("MPEGTS:", StringComparison.Ordinal) &&
                    long.TryParse(field.AsSpan("MPEGTS:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ts) && ts < (1L << 40))
                {
                    mpegTs = ts;
                }
                else if (field.StartsWith("LOCAL:", StringComparison.Ordinal) && Timing.TryParseTimestamp(field["LOCAL:".Length..], out var t))
                {
                    local = t;
                }
            }

            if (mpegTs is null || local is null)
            {
                throw new SubtitleRejectedException(
                    $"line {lineNumber}: malformed header '{Quote(line)}'; it must read like X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000");
            }

            return TimeSpan.FromMilliseconds(((mpegTs.Value + 45) / 90) - (long)local.Value.TotalMilliseconds);
        }

        /// <summary>
        /// One block. As in the W3C parser, a timing line first or second makes a cue, whatever the first line says
        /// (<c>NOTE</c> followed by a timing line is a cue with the id NOTE); only then are comment, style and region
        /// blocks recognised.
        /// </summary>
        private void ReadBlock(int first, int count)
        {
            var timing = lines[first].Contains(Arrow, StringComparison.Ordinal) ? first
                : count > 1 && lines[first + 1].Contains(Arrow, StringComparison.Ordinal) ? first + 1
                : -1;
            if (timing < 0 && format == SubtitleFormat.WebVtt && SkippedBlockKind(lines[first]) is { } kind)
            {
                for (var i = first + 2; i < first + count; i++)
                {
                    if (lines[i].Contains(Arrow, StringComparison.Ordinal))
                    {
                        throw new SubtitleRejectedException(
                            $"line {i + 1}: a {kind} block contains '-->'; put a blank line between the {kind} block and the cue that follows it");
                    }
                }

                return;
            }

            if (timing < 0)
            {
                ReadMoreText(first, count);
                return;
            }

            _cueNumber++;
            if (!Timing.TryParse(lines[timing], format, out var cue))
            {
                throw MalformedTiming(timing);
            }

            var where = $"cue {_cueNumber} (line {timing + 1})";
            if (cue.End <= cue.Start)
            {
                throw new SubtitleRejectedException($"{where} ends at {FormatTime(cue.End)}, not after its start {FormatTime(cue.Start)}");
            }

            if (cue.Start < _lastStart)
            {
                throw new SubtitleRejectedException(
                    $"{where} starts at {FormatTime(cue.Start)}, before cue {_cueNumber - 1} at {FormatTime(_lastStart)}: cues must be in time order");
            }

            _lastStart = cue.Start;
            var start = cue.Start + _shift;
            if (duration is { } length && start >= length + TimeSpan.FromSeconds(1))
            {
                throw new SubtitleRejectedException(
                    $"{where} starts at {FormatTime(start)}{(_shift == TimeSpan.Zero ? "" : " (after X-TIMESTAMP-MAP)")}, after the end of the video at {FormatTime(length)}; are these the subtitles of this title?");
            }

            Flush();
            var id = format == SubtitleFormat.WebVtt && timing > first ? lines[first].TrimEnd() : null;
            _pending = (start, cue.End + _shift, id, cue.Settings);
            AddText(timing + 1, first + count);
        }

        /// <summary>
        /// A block with no timing line: more text of the cue before it, unless it looks like a cue whose timing line is
        /// malformed (no <c>--&gt;</c>) or there is no cue before it.
        /// </summary>
        private void ReadMoreText(int first, int count)
        {
            var timingAttempt = LooksLikeTimestamp(lines[first]) ? first
                : count > 1 && (LooksLikeTimestamp(lines[first + 1]) || (format == SubtitleFormat.Srt && IsInteger(lines[first]))) ? first + 1
                : -1;
            if (timingAttempt >= 0)
            {
                _cueNumber++;
                throw MalformedTiming(timingAttempt);
            }

            if (_pending is null)
            {
                throw new SubtitleRejectedException(
                    $"line {first + 1}: '{Quote(lines[first])}' is not in a cue; each cue needs a timing line like {TimingExample}");
            }

            AddText(first, first + count);
        }

        private void AddText(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (lines[i].Contains(Arrow, StringComparison.Ordinal))
                {
                    throw new SubtitleRejectedException(
                        $"cue {_cueNumber} (line {i + 1}): the text line '{Quote(lines[i])}' contains '-->', which players read as a timing line; if a new cue starts there, put a blank line before it");
                }

                var text = format == SubtitleFormat.Srt ? SrtMarkup.ToWebVtt(lines[i]).Trim() : lines[i].TrimEnd();
                if (text.Length > 0)
                {
                    _pendingText.Add(text);
                }
            }
        }

        /// <summary>Ends the cue being read: kept unless it has no text (ffmpeg writes such cues) or lies wholly before zero.</summary>
        private void Flush()
        {
            if (_pending is { } cue && _pendingText.Count > 0 && cue.End > TimeSpan.Zero)
            {
                if (_cues.Count == MaxCues)
                {
                    throw new SubtitleRejectedException($"the file has more than {MaxCues} cues, the limit for one subtitle file");
                }

                var start = cue.Start < TimeSpan.Zero ? TimeSpan.Zero : cue.Start;
                _cues.Add(new SubtitleCue(start, cue.End, string.Join('\n', _pendingText), cue.Id, cue.Settings));
            }

            _pending = null;
            _pendingText.Clear();
        }

        private SubtitleRejectedException MalformedTiming(int line) => new(
            $"cue {_cueNumber} (line {line + 1}): malformed timing '{Quote(lines[line])}'; it must read like {TimingExample}");

        /// <summary>The W3C parser's blocks that are not cues: comments, style sheets and regions (not kept: players differ on them).</summary>
        private static string? SkippedBlockKind(string firstLine) =>
            firstLine.StartsWith("NOTE", StringComparison.Ordinal) && (firstLine.Length == 4 || firstLine[4] is ' ' or '\t') ? "NOTE"
            : firstLine.TrimEnd() is "STYLE" or "REGION" ? firstLine.TrimEnd()
            : null;

        /// <summary>Starts with digits, a colon and two digits: an attempt at a timestamp rather than cue text.</summary>
        private static bool LooksLikeTimestamp(string line)
        {
            var s = line.AsSpan().TrimStart();
            var digits = s.IndexOfAnyExceptInRange('0', '9');
            return digits > 0 && s.Length >= digits + 3 && s[digits] == ':' && char.IsAsciiDigit(s[digits + 1]) && char.IsAsciiDigit(s[digits + 2]);
        }
    }
}
