//! Command-line arguments: `vani-bot echo | tone | load [--option value]...`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::echo::EchoOptions;
use crate::load::LoadOptions;
use crate::tone::{Role, ToneOptions};
use crate::{Account, BotError};

/// Usage text.
pub const USAGE: &str = "\
usage:
  vani-bot echo [--server URL] [--user echo] [--password P] [--delay-ms 500]
                [--max-call-seconds 600] [--idle-seconds 10] [--no-video]
  vani-bot tone (--answer | --call TARGET) [--freq 1000] [--seconds N]
                [--dtmf DIGITS] [--dtmf-info DIGITS] [--report out.json]
                [--server URL] [--user 1003] [--password P]
  vani-bot load --users N --rate R --duration S [--target URL] [--hold-ms 1000]
                [--first-user 0] [--media] [--allow-remote] [--json out.json]
common: --domain localhost (SIP domain); the password defaults to `vani` + user,
as for the demo accounts. URL defaults to ws://127.0.0.1:8088.";

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    /// The echo service.
    Echo(Account, EchoOptions),
    /// The tone analyser, and where to write its report.
    Tone(Account, ToneOptions, Option<PathBuf>),
    /// The load generator, and where to write its figures as JSON.
    Load(LoadOptions, Option<PathBuf>),
}

/// Flags that take no value.
const SWITCHES: [&str; 5] = [
    "--answer",
    "--media",
    "--allow-remote",
    "--no-video",
    "--help",
];

struct Args(HashMap<String, String>);

impl Args {
    fn parse(args: &[String]) -> Result<Self, BotError> {
        let mut map = HashMap::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if !arg.starts_with("--") {
                return Err(usage(format!("unexpected argument {arg}")));
            }
            let value = if SWITCHES.contains(&arg.as_str()) {
                String::new()
            } else {
                iter.next()
                    .cloned()
                    .ok_or_else(|| usage(format!("{arg} needs a value")))?
            };
            map.insert(arg.clone(), value);
        }
        Ok(Self(map))
    }

    fn flag(&mut self, name: &str) -> bool {
        self.0.remove(name).is_some()
    }

    fn text(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str) -> Result<Option<T>, BotError> {
        self.0
            .remove(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| usage(format!("{name}: not a number: {v}")))
            })
            .transpose()
    }

    fn finish(self) -> Result<(), BotError> {
        match self.0.keys().next() {
            Some(unknown) => Err(usage(format!("unknown option {unknown}"))),
            None => Ok(()),
        }
    }

    fn account(&mut self, default_user: &str) -> Account {
        let user = self
            .text("--user")
            .unwrap_or_else(|| default_user.to_owned());
        Account {
            server: self
                .text("--server")
                .unwrap_or_else(|| "ws://127.0.0.1:8088".into()),
            domain: self.text("--domain").unwrap_or_else(|| "localhost".into()),
            password: self
                .text("--password")
                .unwrap_or_else(|| format!("vani{user}")),
            user,
        }
    }
}

fn usage(problem: String) -> BotError {
    BotError::Usage(format!("{problem}\n{USAGE}"))
}

fn seconds(value: Option<f64>) -> Result<Option<Duration>, BotError> {
    value
        .map(|s| Duration::try_from_secs_f64(s).map_err(|_| usage(format!("bad duration {s}"))))
        .transpose()
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, BotError> {
    let (mode, rest) = args
        .split_first()
        .ok_or_else(|| usage("no mode given".into()))?;
    let mut a = Args::parse(rest)?;
    if a.flag("--help") {
        return Err(BotError::Usage(USAGE.into()));
    }
    let command = match mode.as_str() {
        "echo" => {
            let account = a.account("echo");
            let defaults = EchoOptions::default();
            let options = EchoOptions {
                delay: a
                    .number("--delay-ms")?
                    .map_or(defaults.delay, Duration::from_millis),
                max_call: seconds(a.number("--max-call-seconds")?)?.or(defaults.max_call),
                idle_timeout: seconds(a.number("--idle-seconds")?)?
                    .unwrap_or(defaults.idle_timeout),
                video: !a.flag("--no-video"),
            };
            Command::Echo(account, options)
        }
        "tone" => {
            let account = a.account("1003");
            let role = match (a.flag("--answer"), a.text("--call")) {
                (true, None) => Role::Answer,
                (false, Some(target)) => Role::Call(target),
                _ => {
                    return Err(usage(
                        "tone needs exactly one of --answer and --call TARGET".into(),
                    ));
                }
            };
            let defaults = ToneOptions::default();
            let options = ToneOptions {
                role,
                freq: a.number("--freq")?.unwrap_or(defaults.freq),
                amplitude: a.number("--amplitude")?.unwrap_or(defaults.amplitude),
                seconds: a.number("--seconds")?.or(defaults.seconds),
                dtmf_rtp: a.text("--dtmf").unwrap_or_default(),
                dtmf_info: a.text("--dtmf-info").unwrap_or_default(),
                idle_timeout: seconds(a.number("--idle-seconds")?)?
                    .unwrap_or(defaults.idle_timeout),
            };
            Command::Tone(account, options, a.text("--report").map(PathBuf::from))
        }
        "load" => {
            let defaults = LoadOptions::default();
            let options = LoadOptions {
                target: a.text("--target").unwrap_or(defaults.target),
                domain: a.text("--domain").unwrap_or(defaults.domain),
                users: a
                    .number("--users")?
                    .ok_or_else(|| usage("load needs --users".into()))?,
                first_user: a.number("--first-user")?.unwrap_or(0),
                rate: a
                    .number("--rate")?
                    .ok_or_else(|| usage("load needs --rate".into()))?,
                duration: seconds(a.number("--duration")?)?
                    .ok_or_else(|| usage("load needs --duration".into()))?,
                hold: a
                    .number("--hold-ms")?
                    .map_or(defaults.hold, Duration::from_millis),
                media: a.flag("--media"),
                allow_remote: a.flag("--allow-remote"),
            };
            Command::Load(options, a.text("--json").map(PathBuf::from))
        }
        other => return Err(usage(format!("unknown mode {other}"))),
    };
    a.finish()?;
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn tone_call_with_report() {
        let Command::Tone(account, options, report) = parse(&args(
            "tone --call 600 --freq 440 --seconds 3 --dtmf 159*0# --report r.json --user 1002",
        ))
        .unwrap() else {
            panic!("not tone");
        };
        assert_eq!(account.user, "1002");
        assert_eq!(account.password, "vani1002");
        assert_eq!(options.role, Role::Call("600".into()));
        assert_eq!(options.freq, 440.0);
        assert_eq!(options.dtmf_rtp, "159*0#");
        assert_eq!(report, Some(PathBuf::from("r.json")));
    }

    #[test]
    fn load_needs_its_bounds() {
        assert!(parse(&args("load --users 10 --rate 5")).is_err());
        let Command::Load(options, _) =
            parse(&args("load --users 10 --rate 5 --duration 2 --media")).unwrap()
        else {
            panic!("not load");
        };
        assert_eq!(options.users, 10);
        assert!(options.media && !options.allow_remote);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for line in [
            "",
            "dance",
            "tone",
            "tone --answer --call 600",
            "echo --delay-ms soon",
            "echo --bogus 1",
            "echo stray",
        ] {
            assert!(
                matches!(parse(&args(line)), Err(BotError::Usage(_))),
                "{line}"
            );
        }
    }
}
