using System.Globalization;
using System.Text;
using System.Xml;
using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Common.Dash;

/// <summary>
/// Writes a title's static DASH manifest (ISO/IEC 23009-1) over the same CMAF files HLS plays: a video adaptation set
/// with every H.264 rung, another with the AV1 rungs when there are any (an adaptation set holds one codec family: a
/// player switches rungs within a set, and picks a set among those it decodes), when the audio is separate an audio
/// adaptation set per track (the first with the main role), and a text adaptation set per subtitle track (its WebVTT
/// file). Each rendition is either one file with a global segment index (<c>SegmentBase</c>, the on-demand profile)
/// or an init file and one file per segment (<c>SegmentTemplate</c> with a <c>SegmentTimeline</c>), as
/// <see cref="DashSegments"/> says. A single file can also
/// be written as a <c>SegmentList</c> of byte ranges, taken from its HLS playlist, for players that mishandle
/// <c>SegmentBase</c> when BaseURLs fail over (Shaka Player 5.2.12, see README "Players").
/// <para>
/// Redundancy is the MPD's own: one <c>BaseURL</c> per location (edge), best first, each with a
/// <c>serviceLocation</c>, so a player that loses one moves to the next (ISO/IEC 23009-1 §5.6.5; dash.js excludes a
/// failed service location, Shaka Player retries on the next URI), and a <c>ContentSteering</c> element (DASH-IF
/// Content Steering) naming the steering server and the default location. Values from other processes (edge ids and
/// URLs from the registry) are escaped by the XML writer and cannot add elements.
/// </para>
/// </summary>
public static class DashManifest
{
    private const string Namespace = "urn:mpeg:dash:schema:mpd:2011";

    /// <summary>True when every rendition of the title was packaged with DASH addressing (versions packaged before DASH were not).</summary>
    public static bool CanDescribe(Title title) =>
        title.Renditions.Count > 0 && title.Renditions.All(r => r.Dash is not null) && title.Audio.All(a => a.Dash is not null);

    /// <param name="locations">Each location's id (its <c>serviceLocation</c>) and the URL of the version's directory on it, ending in <c>/</c>.</param>
    /// <param name="steering">The steering server's URI, or null for none. Its default locations are every location in
    /// order, space-separated: before the first steering answer (or when the server is down) Shaka Player uses only the
    /// default ones, so naming one edge there would leave it nowhere to go.</param>
    /// <exception cref="ArgumentException">The title cannot be described (<see cref="CanDescribe"/>) or has no duration.</exception>
    /// <param name="segmentLists">Single-file renditions to write as a <c>SegmentList</c> instead of <c>SegmentBase</c>,
    /// by playlist path (<see cref="RenditionInfo.Playlist"/>), with their segments; null for none.</param>
    public static string Write(
        Title title,
        IReadOnlyList<(string Id, string BaseUrl)> locations,
        string? steering = null,
        IReadOnlyDictionary<string, ByteRangePlaylist>? segmentLists = null)
    {
        if (!CanDescribe(title) || title.DurationSeconds is not > 0)
        {
            throw new ArgumentException($"title '{title.Id}' has no DASH addressing or no duration", nameof(title));
        }

        var renditions = title.Renditions.OrderByDescending(r => r.Bandwidth).ToList();
        var onDemand = renditions.All(r => r.Dash!.IndexRange is not null) && title.Audio.All(a => a.Dash!.IndexRange is not null)
            && segmentLists is not { Count: > 0 };
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8, OmitXmlDeclaration = true }))
        {
            xml.WriteStartElement("MPD", Namespace);
            xml.WriteAttributeString("profiles", onDemand ? "urn:mpeg:dash:profile:isoff-on-demand:2011"
                : segmentLists is { Count: > 0 } ? "urn:mpeg:dash:profile:full:2011" : "urn:mpeg:dash:profile:isoff-live:2011");
            xml.WriteAttributeString("type", "static");
            xml.WriteAttributeString("mediaPresentationDuration", Duration(title.DurationSeconds.Value));
            xml.WriteAttributeString("minBufferTime", "PT2S");
            foreach (var (id, baseUrl) in locations)
            {
                xml.WriteStartElement("BaseURL", Namespace);
                xml.WriteAttributeString("serviceLocation", id);
                xml.WriteString(baseUrl);
                xml.WriteEndElement();
            }

            if (steering is not null)
            {
                xml.WriteStartElement("ContentSteering", Namespace);
                xml.WriteAttributeString("defaultServiceLocation", string.Join(' ', locations.Select(l => l.Id)));
                xml.WriteAttributeString("queryBeforeStart", "false");
                xml.WriteString(steering);
                xml.WriteEndElement();
            }

            xml.WriteStartElement("Period", Namespace);
            xml.WriteAttributeString("id", "0");
            xml.WriteAttributeString("start", "PT0S");

            // One video adaptation set per codec family, H.264 first with id 0 (as before AV1); the others' ids come
            // after the audio and text sets' ones, which stay what they were.
            var families = renditions.GroupBy(r => r.Codecs.Split('.')[0], StringComparer.Ordinal)
                .OrderBy(g => MasterPlaylist.IsH264(g.First().Codecs) ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            for (var f = 0; f < families.Count; f++)
            {
                VideoAdaptationSet(xml, f == 0 ? 0 : title.Audio.Count + title.Subtitles.Count + f, families[f].ToList(), onDemand, segmentLists);
            }

            for (var i = 0; i < title.Audio.Count; i++)
            {
                var audio = title.Audio[i];
                xml.WriteStartElement("AdaptationSet", Namespace);
                xml.WriteAttributeString("id", Int(i + 1));
                xml.WriteAttributeString("contentType", "audio");
                xml.WriteAttributeString("mimeType", "audio/mp4");
                xml.WriteAttributeString("lang", audio.Language);
                AlignmentAttributes(xml, onDemand);
                xml.WriteStartElement("Role", Namespace);
                xml.WriteAttributeString("schemeIdUri", "urn:mpeg:dash:role:2011");
                xml.WriteAttributeString("value", i == 0 ? "main" : "alternate");
                xml.WriteEndElement();
                xml.WriteElementString("Label", Namespace, audio.Label);
                xml.WriteStartElement("Representation", Namespace);
                xml.WriteAttributeString("id", audio.Name);
                xml.WriteAttributeString("bandwidth", Int(audio.Bandwidth));
                xml.WriteAttributeString("codecs", audio.Codecs);
                xml.WriteAttributeString("audioSamplingRate", Int(audio.SampleRate));
                xml.WriteStartElement("AudioChannelConfiguration", Namespace);
                xml.WriteAttributeString("schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_configuration:2011");
                xml.WriteAttributeString("value", Int(audio.Channels));
                xml.WriteEndElement();
                Segments(xml, audio.Playlist, audio.Dash!, segmentLists);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            // Subtitles: one text adaptation set per track, its representation the whole WebVTT file (a sidecar file, as
            // dash.js and Shaka Player load it), resolved against every location's BaseURL like the media.
            for (var i = 0; i < title.Subtitles.Count; i++)
            {
                var subtitles = title.Subtitles[i];
                xml.WriteStartElement("AdaptationSet", Namespace);
                xml.WriteAttributeString("id", Int(1 + title.Audio.Count + i));
                xml.WriteAttributeString("contentType", "text");
                xml.WriteAttributeString("mimeType", "text/vtt");
                xml.WriteAttributeString("lang", subtitles.Language);
                xml.WriteStartElement("Role", Namespace);
                xml.WriteAttributeString("schemeIdUri", "urn:mpeg:dash:role:2011");
                xml.WriteAttributeString("value", "subtitle");
                xml.WriteEndElement();
                xml.WriteElementString("Label", Namespace, subtitles.Label);
                xml.WriteStartElement("Representation", Namespace);
                xml.WriteAttributeString("id", subtitles.Name);
                xml.WriteAttributeString("bandwidth", "256");
                xml.WriteElementString("BaseURL", Namespace, subtitles.File);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement(); // Period
            xml.WriteEndElement(); // MPD
        }

        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + text.Append('\n');
    }

    /// <summary>A video adaptation set of one codec family, its rungs from the top down.</summary>
    private static void VideoAdaptationSet(XmlWriter xml, int id, IReadOnlyList<RenditionInfo> renditions, bool onDemand, IReadOnlyDictionary<string, ByteRangePlaylist>? segmentLists)
    {
        xml.WriteStartElement("AdaptationSet", Namespace);
        xml.WriteAttributeString("id", Int(id));
        xml.WriteAttributeString("contentType", "video");
        xml.WriteAttributeString("mimeType", "video/mp4");
        xml.WriteAttributeString("maxWidth", Int(renditions.Max(r => r.Width)));
        xml.WriteAttributeString("maxHeight", Int(renditions.Max(r => r.Height)));
        AlignmentAttributes(xml, onDemand);
        foreach (var r in renditions)
        {
            xml.WriteStartElement("Representation", Namespace);
            xml.WriteAttributeString("id", r.Name);
            xml.WriteAttributeString("bandwidth", Int(r.Bandwidth));
            xml.WriteAttributeString("width", Int(r.Width));
            xml.WriteAttributeString("height", Int(r.Height));
            xml.WriteAttributeString("sar", "1:1");
            if (r.FrameRate > 0)
            {
                xml.WriteAttributeString("frameRate", FrameRate(r.FrameRate));
            }

            xml.WriteAttributeString("codecs", r.Codecs);
            Segments(xml, r.Playlist, r.Dash!, segmentLists);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void AlignmentAttributes(XmlWriter xml, bool onDemand)
    {
        xml.WriteAttributeString(onDemand ? "subsegmentAlignment" : "segmentAlignment", "true");
        xml.WriteAttributeString(onDemand ? "subsegmentStartsWithSAP" : "startWithSAP", "1");
    }

    /// <summary>The representation's own <c>BaseURL</c> (its directory, or its single file) and how its segments are found.</summary>
    private static void Segments(XmlWriter xml, string playlist, DashSegments dash, IReadOnlyDictionary<string, ByteRangePlaylist>? segmentLists)
    {
        var directory = playlist[..(playlist.LastIndexOf('/') + 1)];
        if (dash.IndexRange is not null && segmentLists?.GetValueOrDefault(playlist) is { } list)
        {
            // Microseconds: EXTINF has six decimals.
            xml.WriteElementString("BaseURL", Namespace, directory + dash.Media);
            xml.WriteStartElement("SegmentList", Namespace);
            xml.WriteAttributeString("timescale", "1000000");
            xml.WriteStartElement("Initialization", Namespace);
            xml.WriteAttributeString("range", $"0-{Int(list.InitLength - 1)}");
            xml.WriteEndElement();
            Timeline(xml, 0, list.Segments.Select(s => (long)Math.Round(s.Seconds * 1_000_000)).ToList());
            foreach (var segment in list.Segments)
            {
                xml.WriteStartElement("SegmentURL", Namespace);
                xml.WriteAttributeString("mediaRange", $"{Int(segment.Offset)}-{Int(segment.Offset + segment.Length - 1)}");
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            return;
        }

        if (dash.IndexRange is not null)
        {
            xml.WriteElementString("BaseURL", Namespace, directory + dash.Media);
            xml.WriteStartElement("SegmentBase", Namespace);
            xml.WriteAttributeString("indexRange", dash.IndexRange);
            xml.WriteAttributeString("indexRangeExact", "true");
            xml.WriteStartElement("Initialization", Namespace);
            xml.WriteAttributeString("range", dash.InitializationRange ?? throw new ArgumentException("a single-file rendition without an init range"));
            xml.WriteEndElement();
            xml.WriteEndElement();
            return;
        }

        var durations = dash.SegmentDurations ?? throw new ArgumentException("a segment template without a timeline");
        xml.WriteElementString("BaseURL", Namespace, directory);
        xml.WriteStartElement("SegmentTemplate", Namespace);
        xml.WriteAttributeString("timescale", Int(dash.Timescale));
        xml.WriteAttributeString("initialization", dash.Initialization ?? throw new ArgumentException("a segment template without an init file"));
        xml.WriteAttributeString("media", dash.Media);
        xml.WriteAttributeString("startNumber", Int(dash.StartNumber));
        Timeline(xml, dash.StartTime, durations);
        xml.WriteEndElement();
    }

    /// <summary>A <c>SegmentTimeline</c>, runs of equal durations as one <c>S</c> with a repeat count.</summary>
    private static void Timeline(XmlWriter xml, long start, IReadOnlyList<long> durations)
    {
        xml.WriteStartElement("SegmentTimeline", Namespace);
        for (var i = 0; i < durations.Count;)
        {
            var run = 1;
            while (i + run < durations.Count && durations[i + run] == durations[i])
            {
                run++;
            }

            xml.WriteStartElement("S", Namespace);
            if (i == 0)
            {
                xml.WriteAttributeString("t", Int(start));
            }

            xml.WriteAttributeString("d", Int(durations[i]));
            if (run > 1)
            {
                xml.WriteAttributeString("r", Int(run - 1));
            }

            xml.WriteEndElement();
            i += run;
        }

        xml.WriteEndElement();
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>PT30.016S</c> (xs:duration, milliseconds).</summary>
    public static string Duration(double seconds) => string.Create(CultureInfo.InvariantCulture, $"PT{Math.Round(seconds, 3):0.###}S");

    /// <summary>A whole number of frames per second, or NTSC's N*1000/1001 (the attribute takes no decimals).</summary>
    public static string FrameRate(double fps)
    {
        var whole = Math.Round(fps);
        if (Math.Abs(fps - whole) < 0.005)
        {
            return Int((long)whole);
        }

        var ntsc = Math.Round(fps * 1.001);
        return Math.Abs((ntsc * 1000 / 1001) - fps) < 0.005
            ? string.Create(CultureInfo.InvariantCulture, $"{ntsc * 1000:0}/1001")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(fps * 1000):0}/1000");
    }
}
