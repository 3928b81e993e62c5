using Microsoft.AspNetCore.Authentication;

namespace PfnStudio.Tokens.Authentication;

/// <summary>Options of the personal access token bearer scheme.</summary>
internal sealed class PersonalAccessTokenOptions : AuthenticationSchemeOptions
{
    /// <summary>Creates options with default <see cref="PersonalAccessTokenEvents"/>.</summary>
    public PersonalAccessTokenOptions() => Events = new PersonalAccessTokenEvents();

    /// <summary>The realm written in every challenge. Default <c>pfnstudio</c>.</summary>
    public string Realm { get; set; } = PersonalAccessTokenDefaults.Realm;

    /// <summary>Seconds a caller is told to wait (<c>Retry-After</c>) when verification capacity or the store is unavailable.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Hooks into validation; see <see cref="PersonalAccessTokenEvents"/>.</summary>
    public new PersonalAccessTokenEvents Events
    {
        get => (PersonalAccessTokenEvents)base.Events!;
        set => base.Events = value;
    }
}
