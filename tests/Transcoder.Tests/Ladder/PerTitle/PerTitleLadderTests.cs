using System.Globalization;
using Vod.Transcoder.Ladder.PerTitle;
using Xunit.Abstractions;

namespace Vod.Transcoder.Tests.Ladder.PerTitle;

/// <summary>
/// <see cref="PerTitleLadder"/> on trial figures recorded with ffmpeg (<see cref="RecordedTrials"/>), so the rules are
/// checked against the shapes real encodes give (sparse hulls, a PSNR step at each resolution change), not against
/// curves made up to fit them.
/// </summary>
public class PerTitleLadderTests(ITestOutputHelper output)
{
    public static TheoryData<string> Sources => new() { "simple", "medium", "complex" };

    private static IReadOnlyList<TrialPoint> Trials(string source) => RecordedTrials.Of(source);

    private const double Uncapped = 1_000_000;

    private static IReadOnlyList<PlannedRung> Select(IReadOnlyList<TrialPoint> trials, PerTitleOptions? options = null) =>
        PerTitleLadder.Select(trials, 1920, 1080, options ?? new PerTitleOptions());

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_RecordedSource_PrintsAWellFormedLadder(string source)
    {
        var options = new PerTitleOptions();
        var ladder = Select(Trials(source), options);

        output.WriteLine($"{source}: {ladder.Count} rungs");
        output.WriteLine("  name   size       crf   sample kbps   max kbps   PSNR dB   SSIM");
        foreach (var r in ladder)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {r.Name,-6} {r.Width,4}x{r.Height,-5} {r.Crf,3} {r.SampleKbps,13:F1} {r.MaxKbps,10} {r.Psnr,9:F2} {r.Ssim,7:F4}"));
        }

        Assert.InRange(ladder.Count, 1, options.MaxRungs);
        Assert.All(ladder, r =>
        {
            Assert.Equal($"{r.Height}p", r.Name);
            Assert.Contains(Trials(source), p => p.Width == r.Width && p.Height == r.Height && p.Crf == r.Crf
                && p.Kbps == r.SampleKbps && p.Psnr == r.Psnr && p.Ssim == r.Ssim);
            Assert.Equal(Math.Max(1, (int)Math.Ceiling(r.SampleKbps * options.MaxRateFactor)), r.MaxKbps);
        });
        for (var i = 1; i < ladder.Count; i++)
        {
            Assert.True(ladder[i].Height < ladder[i - 1].Height, $"{ladder[i].Name} under {ladder[i - 1].Name}");
            Assert.True(ladder[i].SampleKbps < ladder[i - 1].SampleKbps, $"{ladder[i].Name} costs no less than {ladder[i - 1].Name}");
        }
    }

    // Hull

    [Theory]
    [MemberData(nameof(Sources))]
    public void Hull_RecordedSource_IsSortedRisingAndConcaveSubsetOfThePoints(string source)
    {
        var trials = Trials(source);

        var hull = PerTitleLadder.Hull(trials);

        Assert.InRange(hull.Count, 2, trials.Count - 1);
        Assert.All(hull, p => Assert.Contains(p, trials));
        for (var i = 1; i < hull.Count; i++)
        {
            Assert.True(hull[i].Kbps > hull[i - 1].Kbps, "sorted by kbps");
            Assert.True(hull[i].Psnr > hull[i - 1].Psnr, "PSNR strictly rises");
        }

        for (var i = 2; i < hull.Count; i++)
        {
            Assert.True(
                PerTitleLadder.GainPerDoubling(hull[i - 1], hull[i]) <= PerTitleLadder.GainPerDoubling(hull[i - 2], hull[i - 1]),
                "upper hull: the gain per doubling only falls");
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Hull_RecordedSource_EveryPointLeftOutIsBeatenByAMixOfTwoHullPoints(string source)
    {
        var trials = Trials(source);
        var hull = PerTitleLadder.Hull(trials);

        foreach (var p in trials.Except(hull))
        {
            Assert.True(p.Kbps >= hull[0].Kbps, "the cheapest point is always on the hull");
            if (p.Kbps >= hull[^1].Kbps)
            {
                Assert.True(p.Psnr <= hull[^1].Psnr, $"{p} is past the hull's top and no better");
                continue;
            }

            var right = hull.First(h => h.Kbps > p.Kbps);
            var left = hull.Last(h => h.Kbps <= p.Kbps);
            var x = Math.Log2(p.Kbps);
            var (x0, x1) = (Math.Log2(left.Kbps), Math.Log2(right.Kbps));
            var mix = left.Psnr + (right.Psnr - left.Psnr) * (x - x0) / (x1 - x0);
            Assert.True(p.Psnr < mix, $"{p} is below the mix of {left} and {right} ({mix:F3} dB)");
        }
    }

    [Fact]
    public void Hull_SimpleSource_DropsTheDominatedResolutionsAltogether()
    {
        // On the title card, 1080p CRF 37 costs what 720p CRF 29 does (28.1 kb/s) and scores 2.5 dB more, and PSNR
        // climbs ~10 dB per doubling along 1080p: no 360p to 720p point survives, the hull goes from the cheapest 240p
        // straight to 1080p.
        var hull = PerTitleLadder.Hull(RecordedTrials.Simple);

        Assert.DoesNotContain(hull, p => p.Height is 360 or 480 or 720);
        Assert.Equal(240, hull[0].Height);
        Assert.Equal(1080, hull[^1].Height);
    }

    [Fact]
    public void Hull_PointsInAnyOrder_GiveTheSameHull()
    {
        var trials = RecordedTrials.Medium;

        Assert.Equal(PerTitleLadder.Hull(trials), PerTitleLadder.Hull(trials.Reverse()));
        Assert.Equal(PerTitleLadder.Hull(trials), PerTitleLadder.Hull(Shuffled(trials, seed: 7)));
    }

    [Fact]
    public void Hull_InvalidPoints_AreIgnored()
    {
        var trials = RecordedTrials.Medium;
        var top = trials.MaxBy(p => p.Psnr)!;
        TrialPoint[] invalid =
        [
            top with { Kbps = 0 },
            top with { Kbps = -1 },
            top with { Kbps = double.NaN },
            top with { Psnr = double.NaN },
            top with { Kbps = top.Kbps * 2, Psnr = double.PositiveInfinity },
            top with { Kbps = top.Kbps * 2, Psnr = top.Psnr + 1, Ssim = double.NaN },
        ];

        Assert.Equal(PerTitleLadder.Hull(trials), PerTitleLadder.Hull([.. trials, .. invalid]));
        Assert.Empty(PerTitleLadder.Hull(invalid));
        Assert.Empty(PerTitleLadder.Hull([]));
    }

    // Top rung

    [Fact]
    public void Select_SimpleSource_TopRungIsTheCheapestPointReachingMaxPsnr()
    {
        var options = new PerTitleOptions();
        var trials = RecordedTrials.Simple;

        var top = Select(trials, options)[0];

        Assert.True(top.Psnr >= options.MaxPsnr);
        Assert.DoesNotContain(trials, p => p.Psnr >= options.MaxPsnr && p.Kbps < top.SampleKbps);
        // The hull's own point past MaxPsnr (1080p CRF 21) costs over 1.5x as much for PSNR nobody sees.
        Assert.True(PerTitleLadder.Hull(trials).First(p => p.Psnr >= options.MaxPsnr).Kbps > 1.5 * top.SampleKbps);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_LowerMaxPsnr_GivesACheaperTopThatStillReachesIt(string source)
    {
        var trials = Trials(source);
        var top = Select(trials)[0];
        var maxPsnr = top.Psnr - 4;

        var lower = Select(trials, new PerTitleOptions { MaxPsnr = maxPsnr })[0];

        Assert.True(lower.SampleKbps < top.SampleKbps);
        Assert.True(lower.Psnr >= maxPsnr);
    }

    [Theory]
    [InlineData("simple", 1.0)]
    [InlineData("medium", 1.0)]
    [InlineData("medium", 2.5)]
    [InlineData("medium", 5.0)]
    [InlineData("complex", 1.0)]
    [InlineData("complex", 2.0)]
    public void Select_MaxPsnrOutOfReach_TopIsTheLastHullPointBeforeTheGainPerDoublingFallsBelowTheMinimum(string source, double minGain)
    {
        var trials = Trials(source);
        var hull = PerTitleLadder.Hull(trials);

        var top = Select(trials, new PerTitleOptions { MaxPsnr = 100, MinTopPsnr = 0, MinGainPerDoubling = minGain })[0];

        var at = hull.ToList().FindIndex(p => p.Width == top.Width && p.Height == top.Height && p.Crf == top.Crf);
        Assert.True(at >= 0, "the top is a hull point");
        for (var i = 0; i < at; i++)
        {
            Assert.True(PerTitleLadder.GainPerDoubling(hull[i], hull[i + 1]) >= minGain);
        }

        Assert.True(at == hull.Count - 1 || PerTitleLadder.GainPerDoubling(hull[at], hull[at + 1]) < minGain);
    }

    [Fact]
    public void Select_MediumSourceWithAHighMinimumGainAndNoFloor_StopsBelowTheTop()
    {
        var top = Select(RecordedTrials.Medium, new PerTitleOptions { MinGainPerDoubling = 2.5, MinTopPsnr = 0 })[0];

        // The medium hull's segments gain 7.9, 3.0 then 2.2 dB per doubling: the third one does not pay 2.5.
        Assert.Equal((240, 29), (top.Height, top.Crf));
    }

    [Fact]
    public void Select_ComplexSource_TheFloorKeepsTheGainStopOffTheGrainPlateau()
    {
        // Under grain, PSNR creeps from 26.4 to 27.4 dB along the hull's 240p points, then only 1080p climbs (to 34.4 dB at
        // 77 Mb/s): the hull's chord over that climb averages 0.7 dB per doubling. Without a floor the gain stop takes
        // the cheap 240p plateau for the top; with it, quality still pays where it matters and the best trial wins.
        var withoutFloor = Select(RecordedTrials.Complex, new PerTitleOptions { MinTopPsnr = 0, MaxTopKbps = Uncapped });
        var withFloor = Select(RecordedTrials.Complex, new PerTitleOptions { MaxTopKbps = Uncapped });

        Assert.Equal((240, 33), (withoutFloor[0].Height, withoutFloor[0].Crf));
        Assert.Single(withoutFloor);
        Assert.Equal(RecordedTrials.Complex.Max(p => p.Psnr), withFloor[0].Psnr);
        Assert.Equal(1080, withFloor[0].Height);
    }

    [Fact]
    public void Select_FloorReachedBeforeTheGainFalls_GainStopStillApplies()
    {
        // A floor of 30 dB is reached on the medium hull at 240p CRF 37 (30.8 dB): from there on the stop is as without one.
        var top = Select(RecordedTrials.Medium, new PerTitleOptions { MinGainPerDoubling = 2.5, MinTopPsnr = 30 })[0];

        Assert.Equal((240, 29), (top.Height, top.Crf));
    }

    [Fact]
    public void Select_RecordedSources_SimpleTopRungCostsFarLessThanTheComplexOneAtNoWorsePsnr()
    {
        // The claim: one fixed ladder wastes bits on easy titles and starves hard ones (without a delivery cap,
        // which the next test adds).
        var uncapped = new PerTitleOptions { MaxTopKbps = Uncapped };
        var simple = Select(RecordedTrials.Simple, uncapped)[0];
        var medium = Select(RecordedTrials.Medium, uncapped)[0];
        var complex = Select(RecordedTrials.Complex, uncapped)[0];

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"top rungs: simple {simple.SampleKbps:F1} kb/s {simple.Psnr:F2} dB, medium {medium.SampleKbps:F1} kb/s {medium.Psnr:F2} dB, complex {complex.SampleKbps:F1} kb/s {complex.Psnr:F2} dB"));
        Assert.True(simple.SampleKbps / complex.SampleKbps < 0.5);
        Assert.True(simple.Psnr >= complex.Psnr);
        Assert.True(simple.SampleKbps / medium.SampleKbps < 0.5);
        Assert.True(simple.Psnr >= medium.Psnr);
        Assert.True(medium.SampleKbps / complex.SampleKbps < 0.5);
    }

    [Fact]
    public void Select_ComplexSourceUnderTheDeliveryCap_TheBestTrialThatFitsIsTheTop_NothingAboveTheCap()
    {
        var capped = Select(RecordedTrials.Complex, new PerTitleOptions { MaxTopKbps = 8000 });

        var best = RecordedTrials.Complex.Where(p => p.Kbps <= 8000).MaxBy(p => p.Psnr)!;
        Assert.Equal((best.Height, best.Crf), (capped[0].Height, capped[0].Crf));
        Assert.All(capped, r => Assert.True(r.SampleKbps <= 8000, $"{r.Name} at {r.SampleKbps} kb/s"));
        Assert.Throws<ArgumentException>(() => Select(RecordedTrials.Complex, new PerTitleOptions { MaxTopKbps = 1 })); // nothing fits
    }

    // Lower rungs

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_RecordedSource_NeighboursAreWithinTheRatiosWhereTheTrialsAllow(string source)
    {
        var options = new PerTitleOptions();
        var trials = Trials(source);

        var ladder = Select(trials, options);

        for (var i = 1; i < ladder.Count; i++)
        {
            var (above, rung) = (ladder[i - 1], ladder[i]);
            var ratio = above.SampleKbps / rung.SampleKbps;
            var last = i == ladder.Count - 1;
            if (!last || rung.Height != trials.Min(p => p.Height))
            {
                Assert.True(ratio >= options.MinRungRatio, $"{rung.Name} is only {ratio:F2}x under {above.Name}");
            }

            if (ratio > options.MaxRungRatio)
            {
                // Allowed only when no shorter trial lies in the window.
                Assert.DoesNotContain(trials, p => p.Height < above.Height
                    && p.Kbps >= above.SampleKbps / options.MaxRungRatio && p.Kbps <= above.SampleKbps / options.MinRungRatio);
            }
        }
    }

    [Fact]
    public void Select_SimpleSource_EveryStepIsBetweenOneAndAHalfAndTwice()
    {
        var ladder = Select(RecordedTrials.Simple);

        Assert.Equal([1080, 720, 480, 360, 240], ladder.Select(r => r.Height));
        for (var i = 1; i < ladder.Count; i++)
        {
            Assert.InRange(ladder[i - 1].SampleKbps / ladder[i].SampleKbps, 1.5, 2.0);
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_RecordedSource_InTheWindowTakesTheBestPsnr(string source)
    {
        var options = new PerTitleOptions();
        var trials = Trials(source);

        var ladder = Select(trials, options);

        for (var i = 1; i < ladder.Count - 1; i++) // the last rung may be the lowest-height one instead
        {
            var above = ladder[i - 1];
            var window = trials.Where(p => p.Height < above.Height
                && p.Kbps >= above.SampleKbps / options.MaxRungRatio && p.Kbps <= above.SampleKbps / options.MinRungRatio).ToList();
            if (window.Count > 0)
            {
                Assert.Equal(window.Max(p => p.Psnr), ladder[i].Psnr);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_RecordedSource_ReachesTheLowestHeightTried(string source)
    {
        var ladder = Select(Trials(source));

        Assert.Equal(240, ladder[^1].Height);
    }

    [Theory]
    [InlineData("simple", 2)]
    [InlineData("simple", 3)]
    [InlineData("medium", 2)]
    [InlineData("medium", 3)]
    [InlineData("complex", 3)]
    [InlineData("complex", 4)]
    public void Select_MaxRungsReached_RespectsItAndStillEndsAtTheLowestHeight(string source, int maxRungs)
    {
        var options = new PerTitleOptions { MaxRungs = maxRungs };
        var full = Select(Trials(source));

        var ladder = Select(Trials(source), options);

        Assert.Equal(maxRungs, ladder.Count);
        Assert.Equal(full[0], ladder[0]);
        Assert.Equal(240, ladder[^1].Height);
        Assert.Equal(full.Take(maxRungs - 1), ladder.Take(maxRungs - 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(12)]
    public void Select_AnyMaxRungs_IsNeverExceeded(int maxRungs)
    {
        foreach (var source in new[] { "simple", "medium", "complex" })
        {
            var ladder = Select(Trials(source), new PerTitleOptions { MaxRungs = maxRungs });

            Assert.InRange(ladder.Count, 1, maxRungs);
        }
    }

    [Fact]
    public void Select_MaxRungsOne_IsTheTopRungAlone()
    {
        var full = Select(RecordedTrials.Medium);

        Assert.Equal([full[0]], Select(RecordedTrials.Medium, new PerTitleOptions { MaxRungs = 1 }));
    }

    // Never upscale

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_720pSourceWith1080pTrials_NeverPlansA1080pRung(string source)
    {
        var trials = Trials(source);
        Assert.Contains(trials, p => p.Height == 1080);

        var ladder = PerTitleLadder.Select(trials, 1280, 720, new PerTitleOptions());

        Assert.All(ladder, r => Assert.InRange(r.Height, 240, 720));
        Assert.Equal(ladder, PerTitleLadder.Select([.. trials.Where(p => p.Height <= 720)], 1280, 720, new PerTitleOptions()));
    }

    [Fact]
    public void Select_SourceNarrowerThanATrial_IgnoresThatTrial()
    {
        // A 4:3 1440x1080 source: the 1920-wide trials would be upscaled sideways.
        var ladder = PerTitleLadder.Select(RecordedTrials.Simple, 1440, 1080, new PerTitleOptions());

        Assert.All(ladder, r => Assert.True(r.Width <= 1440));
    }

    // Determinism and errors

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_TrialsInAnyOrder_GiveTheSameLadder(string source)
    {
        var trials = Trials(source);
        var expected = Select(trials);

        Assert.Equal(expected, Select([.. trials.Reverse()]));
        for (var seed = 1; seed <= 5; seed++)
        {
            Assert.Equal(expected, Select(Shuffled(trials, seed)));
        }
    }

    [Fact]
    public void Select_TiedPoints_PreferLowerKbpsThenLargerHeightThenLowerCrf()
    {
        // Two copies of the 480p CRF 29 figures under other names: same kbps and PSNR, so only the tie-break tells them
        // apart. The medium ladder's 480p rung is 480p CRF 21; making its twins at 540p CRF 29 and 480p CRF 17 must pick
        // the 540p one (larger height), whatever the order.
        var trials = RecordedTrials.Medium;
        var ladder = Select(trials);
        var rung = ladder.First(r => r.Height == 480);
        var original = trials.Single(p => p.Height == rung.Height && p.Crf == rung.Crf);
        TrialPoint[] twins = [original with { Crf = original.Crf - 4 }, original with { Height = 540, Width = 960, Crf = original.Crf + 4 }];

        TrialPoint[][] orders = [[.. trials, .. twins], [.. Enumerable.Reverse(twins), .. trials.Reverse()], Shuffled([.. trials, .. twins], 3)];
        foreach (var withTwins in orders)
        {
            var picked = Select(withTwins).Single(r => r.SampleKbps == original.Kbps);

            Assert.Equal((540, original.Crf + 4), (picked.Height, picked.Crf));
        }
    }

    [Fact]
    public void Select_NoTrials_Throws()
    {
        Assert.Throws<ArgumentException>(() => Select([]));
    }

    [Fact]
    public void Select_OnlyInvalidTrials_Throws()
    {
        var p = RecordedTrials.Medium[0];

        Assert.Throws<ArgumentException>(() => Select([p with { Kbps = 0 }, p with { Kbps = double.NaN }, p with { Psnr = double.NaN }]));
    }

    [Fact]
    public void Select_EveryTrialTallerThanTheSource_Throws()
    {
        Assert.Throws<ArgumentException>(() => PerTitleLadder.Select(RecordedTrials.Medium, 320, 180, new PerTitleOptions()));
    }

    [Fact]
    public void Select_InvalidTrialsAmongGoodOnes_AreIgnored()
    {
        var trials = RecordedTrials.Complex;
        var top = trials.MaxBy(p => p.Psnr)!;

        var ladder = Select([.. trials, top with { Kbps = 0 }, top with { Psnr = double.NaN, Kbps = 1 }, top with { Kbps = double.NaN }]);

        Assert.Equal(Select(trials), ladder);
    }

    [Fact]
    public void Select_TinySampleBitrate_HasAMaxKbpsOfAtLeastOne()
    {
        var p = RecordedTrials.Simple[0] with { Kbps = 0.1 };

        var rung = Assert.Single(Select([p]));

        Assert.Equal(1, rung.MaxKbps);
    }

    // The bottom within reach of a slow network (MaxBottomKbps)

    /// <summary>The recorded complex trials at <paramref name="factor"/> times their bits: a title grainier still.</summary>
    private static TrialPoint[] Grainier(double factor) => [.. RecordedTrials.Complex.Select(p => p with { Kbps = p.Kbps * factor })];

    [Fact]
    public void Select_BottomRungOverMaxBottomKbps_IsTheBestPointWithinItAtTheLowestHeight()
    {
        var trials = Grainier(4);
        var uncapped = Select(trials, new PerTitleOptions { MaxBottomKbps = 100_000, MaxTopKbps = Uncapped });

        var ladder = Select(trials, new PerTitleOptions { MaxTopKbps = Uncapped });

        Assert.True(uncapped[^1].SampleKbps > 400, $"the uncapped ladder ends at {uncapped[^1].SampleKbps} kb/s");
        var bottom = ladder[^1];
        Assert.Equal(240, bottom.Height);
        Assert.InRange(bottom.SampleKbps, 0, 400);
        var best = trials.Where(p => p.Height == 240 && p.Kbps <= 400).MaxBy(p => p.Psnr)!;
        Assert.Equal((best.Crf, best.Kbps), (bottom.Crf, bottom.SampleKbps));
        Assert.Equal(uncapped.Take(uncapped.Count - 1), ladder.Take(uncapped.Count - 1)); // only the bottom moved
        Assert.Equal(uncapped.Count, ladder.Count);
    }

    [Fact]
    public void Select_NoPointWithinMaxBottomKbps_TheCheapestAtTheLowestHeight()
    {
        var trials = Grainier(40);
        var uncapped = Select(trials, new PerTitleOptions { MaxBottomKbps = 100_000, MaxTopKbps = Uncapped });

        var ladder = Select(trials, new PerTitleOptions { MaxTopKbps = Uncapped });

        var cheapest = trials.Where(p => p.Height == 240).MinBy(p => p.Kbps)!;
        Assert.True(cheapest.Kbps > 400);
        Assert.NotEqual(cheapest.Crf, uncapped[^1].Crf);
        Assert.Equal((240, cheapest.Crf), (ladder[^1].Height, ladder[^1].Crf));
    }

    [Fact]
    public void Select_OnlyOneHeight_TheTopIsNeverTradedForTheBottom()
    {
        var trials = Grainier(40).Where(p => p.Height == 1080).ToArray();

        var ladder = Select(trials, new PerTitleOptions { MaxTopKbps = Uncapped });

        var top = Assert.Single(ladder);
        Assert.True(top.SampleKbps > 400);
    }

    // The fixed ladder's top rung as a floor (KeepFixedTopQuality)

    /// <summary>A reference trial at 1080p: the fixed ladder's 5 Mb/s top rung, as a simple title would spend it.</summary>
    private static TrialPoint Reference(double kbps, double psnr) => new(1920, 1080, 0, kbps, psnr, 0.9999, FixedKbps: 5000);

    [Fact]
    public void Select_ReferenceBetterThanEveryCrfTrial_IsTheTopRung_EncodedAtItsFixedBitrate()
    {
        // The simple title's best CRF trial is 56.2 dB; the fixed ladder's rung reaches 74 dB for 840 kb/s.
        var reference = Reference(840, 74);
        var without = Select(RecordedTrials.Simple);

        var ladder = Select([.. RecordedTrials.Simple, reference]);

        Assert.True(without[0].Psnr < 74, "the hull's top alone stops below the fixed ladder's quality");
        var top = ladder[0];
        Assert.Equal(("1080p", 1920, 1080, (int?)null, 5000, 840.0, 74.0), (top.Name, top.Width, top.Height, top.Crf, top.MaxKbps, top.SampleKbps, top.Psnr));
        Assert.Equal(without.Skip(1).Select(r => r.Height), ladder.Skip(1).Select(r => r.Height)); // the lower rungs stay the hull's
        Assert.All(ladder.Skip(1), r => Assert.NotNull(r.Crf));
    }

    [Fact]
    public void Select_ReferenceAboveTheHullsTop_CheapestCrfTrialReachingIt_BeatsTheReference()
    {
        // 55 dB: the 1080p CRF 21 trial (71 kb/s, 56.2 dB) reaches it for a twelfth of the reference's bits.
        var ladder = Select([.. RecordedTrials.Simple, Reference(840, 55)]);

        Assert.Equal((1080, (int?)21), (ladder[0].Height, ladder[0].Crf));
        Assert.InRange(ladder[0].Psnr, 55, 100);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Select_ReferenceBelowTheHullsTop_ChangesNothingAtTheTop(string source)
    {
        var trials = RecordedTrials.Of(source);
        var without = Select(trials)[0];
        var reference = Reference(without.SampleKbps * 1.2, without.Psnr - 0.5);

        var top = Select([.. trials, reference])[0];

        Assert.Equal((without.Height, without.Crf), (top.Height, top.Crf));
    }

    [Fact]
    public void Select_KeepFixedTopQualityOff_TopRungStaysTheHulls()
    {
        var options = new PerTitleOptions { KeepFixedTopQuality = false };

        var ladder = Select([.. RecordedTrials.Simple, Reference(840, 74)], options);

        Assert.Equal(Select(RecordedTrials.Simple, options), ladder);
        Assert.All(ladder, r => Assert.NotNull(r.Crf));
    }

    private static TrialPoint[] Shuffled(IEnumerable<TrialPoint> trials, int seed)
    {
        var copy = trials.ToArray();
        new Random(seed).Shuffle(copy);
        return copy;
    }
}
