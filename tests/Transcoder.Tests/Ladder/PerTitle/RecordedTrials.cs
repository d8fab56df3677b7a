using Vod.Transcoder.Ladder.PerTitle;

namespace Vod.Transcoder.Tests.Ladder.PerTitle;

/// <summary>
/// Trial figures recorded with ffmpeg 5.1.9 (Debian 12, /usr/bin/ffmpeg, libx264) for three 8 s 1920x1080 25 fps lavfi
/// sources, so <see cref="PerTitleLadder"/> is tested on the shapes real encodes give. Each row is
/// width, height, CRF, bytes of the raw H.264 stream, luma PSNR (the <c>psnr</c> filter's <c>y:</c>) and SSIM (the
/// <c>ssim</c> filter's <c>All:</c>); kbps = bytes * 8 / 6 s / 1000.
/// <para>How they were produced (bash, two trials at a time with <c>xargs -P2</c>):</para>
/// <code>
/// # sources ($SRC below), 8 s each, made lossless:
/// #   simple:  color=c=0x203040:s=1920x1080:r=25,drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf:
/// #              text='Per-title test card':fontsize=96:fontcolor=white:x=(w-tw)/2:y=(h-th)/2,
/// #            drawtext=fontfile=(same):text='%{pts\:hms}':fontsize=40:fontcolor=0xC0C0C0:x=60:y=h-100
/// #            (a static title card with a small running clock)
/// #   medium:  testsrc2=s=1920x1080:r=25
/// #   complex: mandelbrot=s=1920x1080:r=25,format=yuv420p,noise=alls=12:allf=t   (a moving zoom under heavy grain)
/// ffmpeg -f lavfi -i "$SRC" -t 8 -vf format=yuv420p -c:v libx264 -qp 0 -preset ultrafast -threads 2 src.mkv
/// # 3 samples of 2 s centred on 1/6, 3/6 and 5/6 of the 8 s (frames 8-57, 75-124, 142-191), concatenated losslessly:
/// ffmpeg -i src.mkv -filter_complex "[0:v]trim=start_frame=8:end_frame=58,setpts=PTS-STARTPTS[a];
///   [0:v]trim=start_frame=75:end_frame=125,setpts=PTS-STARTPTS[b];[0:v]trim=start_frame=142:end_frame=192,setpts=PTS-STARTPTS[c];
///   [a][b][c]concat=n=3:v=1:a=0[v]" -map "[v]" -c:v libx264 -qp 0 -preset ultrafast -threads 2 samples.mkv
/// # every H in 1080 720 480 360 240 (W = 1920 1280 854 640 426) and C in 21 25 29 33 37:
/// ffmpeg -i samples.mkv -vf "scale=$W:$H,setsar=1" -c:v libx264 -preset veryfast -crf $C -pix_fmt yuv420p -threads 1 \
///   -an -f h264 t.h264
/// ffmpeg -filter_threads 1 -framerate 25 -i t.h264 -i samples.mkv -filter_complex \
///   "[0:v]scale=1920:1080:flags=bicubic,split[d1][d2];[1:v]split[r1][r2];[d1][r1]psnr;[d2][r2]ssim" -f null -
/// # bytes = stat -c %s t.h264; PSNR and SSIM from the last "PSNR y:" and "SSIM ... All:" lines on stderr.
/// </code>
/// The complex source was first recorded with <c>noise=alls=40</c>: that much noise kept PSNR at 20-22 dB for every
/// trial under 60 Mb/s (31.6 dB at 1080p CRF 21, 181 Mb/s), which no real title looks like, so the milder grain stands
/// in for a hard title instead; those figures are not kept here.
/// </summary>
internal static class RecordedTrials
{
    /// <summary>The samples' total length: 3 samples of 2 s.</summary>
    public const double SampleSeconds = 6;

    public static IReadOnlyList<TrialPoint> Simple { get; } =
    [
        T(1920, 1080, 21, 53360, 56.163335, 0.999523),
        T(1920, 1080, 25, 41548, 52.586654, 0.999229),
        T(1920, 1080, 29, 32754, 49.338391, 0.998768),
        T(1920, 1080, 33, 26191, 45.818725, 0.998318),
        T(1920, 1080, 37, 21077, 42.676348, 0.997693),
        T(1280, 720, 21, 36702, 40.947275, 0.997190),
        T(1280, 720, 25, 27926, 40.682942, 0.996934),
        T(1280, 720, 29, 21078, 40.163127, 0.996152),
        T(1280, 720, 33, 16216, 39.276990, 0.995633),
        T(1280, 720, 37, 12638, 37.978647, 0.994666),
        T(854, 480, 21, 23549, 37.576533, 0.994955),
        T(854, 480, 25, 18061, 37.380810, 0.994544),
        T(854, 480, 29, 13842, 37.068146, 0.993735),
        T(854, 480, 33, 10553, 36.355844, 0.993031),
        T(854, 480, 37, 8030, 35.283175, 0.991753),
        T(640, 360, 21, 17926, 35.781157, 0.992886),
        T(640, 360, 25, 13803, 35.610536, 0.992332),
        T(640, 360, 29, 10467, 35.323231, 0.991606),
        T(640, 360, 33, 7986, 34.757180, 0.990632),
        T(640, 360, 37, 5935, 33.740838, 0.989325),
        T(426, 240, 21, 12151, 33.572852, 0.989527),
        T(426, 240, 25, 9533, 33.453993, 0.989072),
        T(426, 240, 29, 7260, 33.246389, 0.988453),
        T(426, 240, 33, 5381, 32.687757, 0.987474),
        T(426, 240, 37, 4038, 31.910044, 0.986563),
    ];

    public static IReadOnlyList<TrialPoint> Medium { get; } =
    [
        T(1920, 1080, 21, 4523003, 45.523082, 0.996322),
        T(1920, 1080, 25, 3011782, 42.007700, 0.992594),
        T(1920, 1080, 29, 1634858, 38.900868, 0.985400),
        T(1920, 1080, 33, 1079054, 36.957119, 0.980082),
        T(1920, 1080, 37, 819443, 35.503849, 0.974437),
        T(1280, 720, 21, 1320285, 36.712421, 0.969569),
        T(1280, 720, 25, 699446, 36.172864, 0.966235),
        T(1280, 720, 29, 387886, 35.537704, 0.962434),
        T(1280, 720, 33, 254143, 34.755530, 0.957729),
        T(1280, 720, 37, 226296, 33.728424, 0.951499),
        T(854, 480, 21, 513931, 34.899134, 0.958325),
        T(854, 480, 25, 278895, 34.574338, 0.955273),
        T(854, 480, 29, 175837, 34.092812, 0.950942),
        T(854, 480, 33, 138994, 33.455556, 0.945541),
        T(854, 480, 37, 132690, 32.395515, 0.938446),
        T(640, 360, 21, 270080, 34.031755, 0.950194),
        T(640, 360, 25, 166804, 33.780766, 0.947185),
        T(640, 360, 29, 119096, 33.363823, 0.942305),
        T(640, 360, 33, 99087, 32.805727, 0.937707),
        T(640, 360, 37, 94210, 31.809028, 0.931553),
        T(426, 240, 21, 142058, 33.034819, 0.938011),
        T(426, 240, 25, 97869, 32.784155, 0.934930),
        T(426, 240, 29, 73787, 32.340121, 0.929935),
        T(426, 240, 33, 63072, 31.666801, 0.924711),
        T(426, 240, 37, 58460, 30.805123, 0.920298),
    ];

    public static IReadOnlyList<TrialPoint> Complex { get; } =
    [
        T(1920, 1080, 21, 58029357, 34.352551, 0.866063),
        T(1920, 1080, 25, 15331447, 31.157653, 0.677177),
        T(1920, 1080, 29, 3258787, 29.994155, 0.625651),
        T(1920, 1080, 33, 1333241, 28.791559, 0.611302),
        T(1920, 1080, 37, 973684, 27.816128, 0.593602),
        T(1280, 720, 21, 9444179, 29.488411, 0.650999),
        T(1280, 720, 25, 1480947, 29.028488, 0.614116),
        T(1280, 720, 29, 582799, 28.592916, 0.604658),
        T(1280, 720, 33, 327707, 28.060014, 0.591912),
        T(1280, 720, 37, 305180, 27.471187, 0.578947),
        T(854, 480, 21, 1381631, 28.666733, 0.606303),
        T(854, 480, 25, 480201, 28.446092, 0.599016),
        T(854, 480, 29, 232380, 28.121803, 0.589566),
        T(854, 480, 33, 148967, 27.674771, 0.578026),
        T(854, 480, 37, 131760, 27.128347, 0.566822),
        T(640, 360, 21, 569801, 28.336468, 0.594850),
        T(640, 360, 25, 248169, 28.141022, 0.588123),
        T(640, 360, 29, 132085, 27.828881, 0.578778),
        T(640, 360, 33, 87180, 27.404166, 0.568379),
        T(640, 360, 37, 73844, 26.839414, 0.558143),
        T(426, 240, 21, 211364, 27.932795, 0.578548),
        T(426, 240, 25, 105759, 27.735385, 0.572289),
        T(426, 240, 29, 59563, 27.417398, 0.563931),
        T(426, 240, 33, 40301, 26.973133, 0.554927),
        T(426, 240, 37, 33009, 26.396557, 0.546482),
    ];

    /// <summary>The recorded trials of <c>simple</c>, <c>medium</c> or <c>complex</c>.</summary>
    public static IReadOnlyList<TrialPoint> Of(string source) => source switch
    {
        "simple" => Simple,
        "medium" => Medium,
        "complex" => Complex,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "simple, medium or complex"),
    };

    private static TrialPoint T(int width, int height, int crf, long bytes, double psnr, double ssim) =>
        new(width, height, crf, bytes * 8 / SampleSeconds / 1000, psnr, ssim);
}
