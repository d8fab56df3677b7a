using Vod.Common.Hosting;

namespace Vod.Common.Tests.Hosting;

public sealed class RedisOptionsTests
{
    [Fact]
    public void ToConfigurationOptions_ConnectionString_KeepsPasswordUserAndTls()
    {
        var config = new RedisOptions { Configuration = "redis.internal:6380,password=s3cret,user=vod,ssl=true,sslHost=redis.example" }.ToConfigurationOptions();

        Assert.Equal("s3cret", config.Password);
        Assert.Equal("vod", config.User);
        Assert.True(config.Ssl);
        Assert.Equal("redis.example", config.SslHost);
        Assert.False(config.AbortOnConnectFail);
    }

    [Fact]
    public void ToConfigurationOptions_ExplicitSettings_OverrideTheString()
    {
        var config = new RedisOptions
        {
            Configuration = "127.0.0.1:6380,password=old,ssl=false",
            Password = "new",
            User = "acl-user",
            Ssl = true,
            TimeoutMilliseconds = 750,
        }.ToConfigurationOptions();

        Assert.Equal("new", config.Password);
        Assert.Equal("acl-user", config.User);
        Assert.True(config.Ssl);
        Assert.Equal(750, config.ConnectTimeout);
        Assert.Equal(750, config.AsyncTimeout);
    }

    [Fact]
    public void ToConfigurationOptions_NoCredentials_LeavesThemUnset()
    {
        var config = new RedisOptions { Configuration = "127.0.0.1:6380" }.ToConfigurationOptions();

        Assert.Null(config.Password);
        Assert.Null(config.User);
        Assert.False(config.Ssl);
    }
}
