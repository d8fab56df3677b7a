using System.ComponentModel.DataAnnotations;
using Vod.Transcoder.Jobs;

namespace Vod.Transcoder.Tests.Jobs;

public sealed class WorkerOptionsTests
{
    [Theory]
    [InlineData(null, "00:00:00", "00:10:00")] // before the probe: the floor
    [InlineData(null, "00:00:30", "00:10:00")] // short sources: the floor
    [InlineData(null, "00:10:00", "01:20:00")] // 8x the source
    [InlineData(null, "06:00:00", "2.00:00:00")] // the probe's default longest source
    [InlineData(null, "7.00:00:00", "30.00:00:00")] // the ceiling
    [InlineData("00:00:01", "06:00:00", "00:00:01")] // set: whatever the source
    [InlineData("02:00:00", "00:00:10", "02:00:00")]
    public void EncodeTimeLimit_Table(string? configured, string sourceDuration, string expected)
    {
        var options = new WorkerOptions { MaxEncodeTime = configured is null ? null : TimeSpan.Parse(configured, System.Globalization.CultureInfo.InvariantCulture) };

        var limit = options.EncodeTimeLimit(TimeSpan.Parse(sourceDuration, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), limit);
    }

    [Theory]
    [InlineData("00:00:00.500", false)]
    [InlineData("00:00:01", true)]
    [InlineData("30.00:00:00", true)]
    [InlineData("31.00:00:00", false)]
    public void MaxEncodeTime_OutsideItsRange_IsRefused(string value, bool valid)
    {
        var options = new WorkerOptions { MaxEncodeTime = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }
}
