//! The `chatgate` command line. All work is done by the library.

use std::{io::Read, process::ExitCode};

use anyhow::Context;
use chatgate::{
    config::Settings,
    db::seed,
    domain::account::{DisplayName, Email, NewPassword, Role},
    passwords,
    startup::{Application, Core},
    telemetry,
};
use clap::{Parser, Subcommand};

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
    CreateUser {
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
    },
    /// Create the demo account if the database is empty.
    SeedDemo,
    /// Fill the database with many realistic conversations (for benchmarks).
    SeedLoad {
        /// How many conversations to add.
        #[arg(long, default_value_t = 0)]
        conversations: usize,
        /// How many generated IP and subnet rules to add (80% IPv4).
        #[arg(long, default_value_t = 0)]
        rules: usize,
        /// The account to add them to (default: the demo account).
        #[arg(long, default_value = seed::DEMO_ACCOUNT)]
        account: String,
    },
}

fn main() -> ExitCode {
    telemetry::init();
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
        Command::SeedDemo => {
            let core = Core::open(settings)?;
            match core.seed_demo()? {
                Some(pw) => print_demo(&core.settings.public_url, &pw),
                None => println!("The database already has an account; nothing seeded."),
            }
            Ok(())
        }
        Command::SeedLoad {
            conversations,
            rules,
            account,
        } => {
            let core = Core::open(settings)?;
            core.seed_demo()?;
            let mut conn = core.db.get()?;
            let acc = chatgate::db::accounts::account_by_name(&mut conn, &account)?
                .ok_or_else(|| anyhow::anyhow!("no account named {account:?}"))?;
            let started = std::time::Instant::now();
            if conversations > 0 {
                let blocked =
                    chatgate::db::load::seed(&mut conn, acc.id, conversations, core.clock.now())?;
                let visitors = chatgate::gate::generate::visitors(blocked, 5);
                chatgate::db::load::index_blocks(&mut conn, acc.id, |k| {
                    visitors
                        .get(k)
                        .map_or_else(Vec::new, |ip| core.gate.index_of(*ip).to_vec())
                })?;
                println!(
                    "Added {conversations} conversations ({blocked} blocked) to {account:?} in {:.1} s.",
                    started.elapsed().as_secs_f64()
                );
            }
            if rules > 0 {
                let n = chatgate::db::load::seed_rules(&mut conn, acc.id, rules, core.clock.now())?;
                println!(
                    "Added {n} IP rules to {account:?} in {:.1} s.",
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::CreateUser {
            account,
            email,
            name,
            role,
            password_stdin,
        } => {
            let email = Email::parse(&email)?;
            let name = DisplayName::parse(&name)?;
            let role = Role::parse(&role)?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password")?;
                (s.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (passwords::generate(), true)
            };
            let password = NewPassword::parse(&password)?;
            let core = Core::open(settings)?;
            let hash = passwords::hash(&password).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
            let mut conn = core.db.get()?;
            let (_, created) = seed::create_user_in_account(
                &mut conn,
                account.trim(),
                &email,
                &name,
                role,
                &hash,
            )?;
            if created {
                println!(
                    "Created account {:?} with a business case \"Support\".",
                    account.trim()
                );
            }
            println!(
                "Added {} <{}> as {}.",
                name.as_str(),
                email.as_str(),
                role.label()
            );
            if generated {
                println!("Password: {}", password.expose());
            }
            Ok(())
        }
    }
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
    println!("\nTry the chat as a visitor at {url}/demo and answer from {url}/agent.\n");
}
