//! The `chatgate` command line. All work is done by the library.

use std::{io::Read, process::ExitCode};

use anyhow::Context;
use chatgate::{
    config::Settings,
    db::{accounts, seed, write_tx},
    domain::account::{DisplayName, Email, NewPassword, Role},
    load, passwords,
    startup::{Application, Core},
    telemetry,
    users::{self, NewUser},
};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "chatgate",
    version,
    about = "Self-hosted live chat with visitor blocking"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed the demo account on an empty database, and serve (default).
    Serve {
        /// Do not create the demo account, even on an empty database.
        #[arg(long)]
        no_demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Add a user, creating the account if it does not exist.
    CreateUser(CreateUser),
    /// Set a new password for a user; ends all their sessions.
    ResetPassword(ResetPassword),
    /// Create the demo account if the database is empty.
    SeedDemo,
    /// Fill the database with many realistic conversations (for benchmarks).
    SeedLoad(SeedLoad),
}

#[derive(Args)]
struct CreateUser {
    /// The account (tenant) name.
    #[arg(long)]
    account: String,
    #[arg(long)]
    email: String,
    /// Display name.
    #[arg(long)]
    name: String,
    /// agent or manager.
    #[arg(long, default_value = "agent")]
    role: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
struct ResetPassword {
    /// The user's e-mail address.
    #[arg(long)]
    email: String,
    /// Read the new password from standard input instead of generating
    /// one (the same rules as create-user: 12 to 128 characters). Only
    /// with this flag: a script without a terminal still gets a generated
    /// password rather than an empty read.
    #[arg(long, visible_alias = "stdin")]
    password_stdin: bool,
}

#[derive(Args)]
struct SeedLoad {
    /// How many conversations to add.
    #[arg(long, default_value_t = 0)]
    conversations: usize,
    /// How many generated IP and subnet rules to add (80% IPv4).
    #[arg(long, default_value_t = 0)]
    rules: usize,
    /// How many days of hourly dashboard counters to add, up to now.
    #[arg(long, default_value_t = 0)]
    counter_days: i64,
    /// The account to add them to (default: the demo account).
    #[arg(long, default_value = seed::DEMO_ACCOUNT)]
    account: String,
}

fn main() -> ExitCode {
    // Held until exit: dropping it writes out the queued log lines.
    let _log = telemetry::init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chatgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve { no_demo: false }) {
        Command::Serve { no_demo } => serve(settings, no_demo),
        Command::Migrate => {
            Core::open(settings)?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::SeedDemo => seed_demo(settings),
        Command::SeedLoad(args) => seed_load(settings, args),
        Command::CreateUser(args) => create_user(settings, args),
        Command::ResetPassword(args) => reset_password(settings, args),
    }
}

fn seed_demo(settings: Settings) -> anyhow::Result<()> {
    let core = Core::open(settings)?;
    match core.seed_demo()? {
        Some(pw) => print_demo(&core.settings.public_url, &pw),
        None => println!("The database already has an account; nothing seeded."),
    }
    Ok(())
}

fn seed_load(settings: Settings, args: SeedLoad) -> anyhow::Result<()> {
    let SeedLoad {
        conversations,
        rules,
        counter_days,
        account,
    } = args;
    let core = Core::open(settings)?;
    core.seed_demo()?;
    let mut conn = core.db.get()?;
    let acc = accounts::account_by_name(&mut conn, &account)?
        .ok_or_else(|| anyhow::anyhow!("no account named {account:?}"))?;
    let started = std::time::Instant::now();
    if conversations > 0 {
        let blocked = load::conversations_with_blocks(
            &mut conn,
            &core.gate,
            acc.id,
            conversations,
            core.clock.now(),
        )?;
        println!(
            "Added {conversations} conversations ({blocked} blocked) to {account:?} in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if rules > 0 {
        let n = load::seed::ip_rules(&mut conn, acc.id, rules, core.clock.now())?;
        println!(
            "Added {n} IP rules to {account:?} in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if counter_days > 0 {
        let n = load::counters(&mut conn, acc.id, counter_days, core.clock.now())?;
        println!(
            "Added {counter_days} days of counters ({n} rows) to {account:?} in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The password from standard input, or a generated one (then `true`).
fn read_or_generate_password(from_stdin: bool) -> anyhow::Result<(NewPassword, bool)> {
    let (password, generated) = if from_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the password")?;
        (s.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (passwords::generate(), true)
    };
    Ok((NewPassword::parse(&password)?, generated))
}

fn create_user(settings: Settings, args: CreateUser) -> anyhow::Result<()> {
    let email = Email::parse(&args.email)?;
    let name = DisplayName::parse(&args.name)?;
    let role = Role::parse(&args.role)?;
    let (password, generated) = read_or_generate_password(args.password_stdin)?;
    let core = Core::open(settings)?;
    let password_hash = passwords::hash(&password).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let account = args.account.trim();
    let input = NewUser {
        name,
        email,
        role,
        password_hash,
    };
    let mut conn = core.db.get()?;
    let (_, created) = write_tx(&mut conn, |c| {
        users::create_from_command_line(c, account, &input, core.clock.now())
    })?;
    if created {
        println!("Created account {account:?} with a business case \"Support\".");
    }
    println!(
        "Added {} <{}> as {}.",
        input.name.as_str(),
        input.email.as_str(),
        role.label()
    );
    if generated {
        println!("Password: {}", password.expose());
    }
    Ok(())
}

fn reset_password(settings: Settings, args: ResetPassword) -> anyhow::Result<()> {
    let email = Email::parse(&args.email)?;
    let (password, generated) = read_or_generate_password(args.password_stdin)?;
    let core = Core::open(settings)?;
    let password_hash = passwords::hash(&password).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let reset = users::Reset {
        throttle_bucket: users::login::user_bucket(&core.keys, email.as_str()),
        email,
        password_hash,
    };
    let mut conn = core.db.get()?;
    let done = write_tx(&mut conn, |c| {
        users::reset_password(c, &reset, core.clock.now())
    })?;
    println!(
        "Reset the password of {} <{}>; {} session{} signed out.",
        done.name,
        reset.email.as_str(),
        done.sessions_ended,
        if done.sessions_ended == 1 { "" } else { "s" }
    );
    if !done.active {
        println!("Note: this user is deactivated; a manager must reactivate them to sign in.");
    }
    if generated {
        println!("Password: {}", password.expose());
    }
    Ok(())
}

fn serve(settings: Settings, no_demo: bool) -> anyhow::Result<()> {
    let core = Core::open(settings)?;
    let seeded = if no_demo { None } else { core.seed_demo()? };
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&core)?;
        let url = &core.settings.public_url;
        println!("\nchatgate is running at {url}/");
        match seeded {
            Some(pw) => print_demo(url, &pw),
            None => println!("Sign in at {url}/login\n"),
        }
        app.run_until_signalled().await?;
        Ok(())
    })
}

fn print_demo(url: &str, password: &str) {
    println!(
        "\nDemo account \"{}\" created. Sign in at {url}/login with:",
        seed::DEMO_ACCOUNT
    );
    println!("  Manager   {}", seed::DEMO_MANAGER);
    println!("  Agent     {}", seed::DEMO_AGENT);
    println!("  Password  {password}");
    println!("(Shown only now. Lost it? `chatgate reset-password --email EMAIL` sets a new one.)");
    println!("\nTry the chat as a visitor at {url}/demo and answer from {url}/agent.\n");
}
