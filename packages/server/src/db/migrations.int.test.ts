import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Insertable, type Kysely, type MigrationResultSet, type Migrator } from 'kysely';
import { debianVersionKey } from '@steward/protocol';
import { freshDatabaseUrl, postgresReachable, testDialects } from '../../test/support/db.js';
import {
  createMigrator,
  MIGRATIONS_LOCK_ID,
  migrateToLatest,
  openDatabase,
  type Db,
} from './database.js';
import { migrations } from './migrations/index.js';
import { checkRow } from './corrupt-row.js';
import { tables, type Database } from './tables/index.js';

// Backstage's migrations.test.ts, for Steward: every migration from empty, and an upgrade of a
// database that holds data written at each earlier step. A new migration adds its entry to
// `rowsAfter` (the test below fails until it does): rows that its tables can hold, written right
// after it runs, which every later migration must keep intact and readable.

type Rows = { [T in keyof Database]?: Insertable<Database[T]>[] };

const AT = '2026-11-22T14:00:00.000Z';

const rowsAfter: Record<string, Rows> = {
  '20261122T1400-initial': {
    site_setting: [{ key: 'site_code', value: 'M01' }],
    admin_user: [
      {
        id: 'u-1',
        name: 'alice',
        password_hash: 'scrypt$x',
        role: 'full-administrator',
        disabled: 0,
        created_at: AT,
        last_login_at: null,
      },
    ],
    package_set: [{ id: 'set-1', package_count: 1, created_at: AT }],
    package_set_item: [
      {
        set_id: 'set-1',
        manager: 'dpkg',
        name: 'bash',
        arch: 'amd64',
        version: '5.2-1',
        version_key: '0005.0002-0001',
      },
    ],
    device: [
      {
        id: 'd-1',
        name: 'web-01',
        key_hash: 'k',
        enrolled_at: AT,
        enrolment_token_id: null,
        revoked_at: null,
        os_family: 'debian',
        os_name: 'Debian',
        os_version: '12',
        machine_type: 'server',
        cpu_model: null,
        memory_total_mb: 2048.5,
        ip_addresses: '10.0.0.1',
        last_logged_on_user: null,
        agent_version: '1.0.0',
        package_set_id: 'set-1',
        package_count: 1,
        report_seq: 7,
        inventory_resync: 0,
        policy_version: 3,
        last_policy_request_at: null,
        last_heartbeat_at: null,
        last_inventory_at: null,
        last_status_at: null,
        last_contact_at: AT,
        push_seen_at: null,
      },
    ],
    device_inventory: [
      {
        device_id: 'd-1',
        class_name: 'os',
        data: JSON.stringify([{ name: 'Debian', version: '12' }]),
        hash: 'h',
        updated_at: AT,
      },
    ],
    collection: [
      {
        id: 'c-1',
        name: 'Web servers',
        description: '',
        builtin: 0,
        limiting_collection_id: null,
        rules: JSON.stringify([{ kind: 'include', collectionId: 'c-1' }]),
        evaluation_interval_minutes: 60,
        member_count: 1,
        last_evaluated_at: AT,
        revision: 1,
        created_at: AT,
        updated_at: AT,
      },
    ],
    collection_member: [{ collection_id: 'c-1', device_id: 'd-1', since: AT }],
    status_message: [
      {
        message_id: 10002,
        severity: 'warning',
        type: 'milestone',
        component: 'agent',
        device_id: 'd-1',
        device_seq: 4,
        machine: 'web-01',
        site_code: 'M01',
        at: AT,
        received_at: AT,
        insertion_strings: JSON.stringify(['a', 'b']),
        attributes: JSON.stringify({ deployment: 'x' }),
      },
    ],
  },
  '20261122T1700-software-distribution': {
    content_file: [{ sha256: 'f'.repeat(64), size: 5_000_000_000, created_at: AT }],
    software_package: [
      {
        id: 'p-1',
        name: 'nginx',
        publisher: 'F5',
        version: '1.24',
        description: '',
        priority: 'high',
        current_version_id: 'v-1',
        created_at: AT,
        updated_at: AT,
      },
    ],
    package_version: [
      {
        id: 'v-1',
        package_id: 'p-1',
        number: 1,
        created_at: AT,
        created_by: 'alice',
        file_count: 1,
        size_bytes: 5_000_000_000,
        source: 'upload',
      },
    ],
    program: [
      {
        id: 'prog-1',
        package_id: 'p-1',
        name: 'Install',
        command_line: './install.sh',
        working_directory: '',
        run_as: 'root',
        max_run_minutes: 30,
        success_exit_codes: '[0]',
        reboot_exit_codes: '[3010]',
        requirements: '{}',
        depends_on_program_id: null,
        description: '',
        disabled: 0,
        created_at: AT,
        updated_at: AT,
      },
    ],
    deployment: [
      {
        id: 'dep-1',
        name: 'nginx to web',
        program_id: 'prog-1',
        collection_id: 'c-1',
        purpose: 'required',
        triggers: JSON.stringify([{ type: 'asap' }]),
        available_at: null,
        expires_at: null,
        time_base: 'utc',
        rerun: 'if-failed',
        pre_download: 1,
        content_mode: 'download',
        run_over_slow_boundary: 0,
        allow_fallback: 1,
        override_maintenance_windows: 0,
        max_postpone_minutes: 0,
        enabled: 1,
        revision: 2,
        extra_assignments: '[]',
        phased_deployment_id: null,
        created_by: 'alice',
        created_at: AT,
        updated_at: AT,
      },
    ],
    maintenance_window: [
      {
        id: 'mw-1',
        collection_id: 'c-1',
        name: 'nights',
        start: '2026-01-01T22:00',
        duration_minutes: 120,
        recurrence: JSON.stringify({ kind: 'daily', everyDays: 1 }),
        time_base: 'local',
        applies_to: 'all',
        enabled: 1,
        created_at: AT,
      },
    ],
    boundary: [
      {
        id: 'b-1',
        name: 'office',
        type: 'subnet',
        value: '10.0.0.0/24',
        start_key: '0'.repeat(32),
        end_key: 'f'.repeat(32),
        created_at: AT,
      },
    ],
  },
  '20261206T1401-agent-versions': {
    agent_version: [
      { version: '1.2.0', created_at: AT, created_by: 'alice', size_bytes: 5_000_000_000 },
    ],
    agent_version_file: [
      {
        version: '1.2.0',
        name: 'steward-agent-1.2.0-linux.tar.gz',
        kind: 'tarball',
        arch: 'all',
        sha256: 'f'.repeat(64),
        size: 5_000_000_000,
      },
    ],
  },
  '20261206T1402-discovery': {
    discovery_sweep: [
      {
        id: 'sw-1',
        state: 'completed',
        trigger: 'on-demand',
        targets: '["10.0.0.0/24"]',
        ports: '[22]',
        icmp: 1,
        total: 256,
        done: 256,
        found: 1,
        requested_by: 'alice',
        started_at: AT,
        progress_at: AT,
        finished_at: AT,
        error: null,
        cancel_requested_by: null,
      },
    ],
    discovered_machine: [
      {
        address: '10.0.0.7',
        address_key: '0a000007',
        mac: '02:00:00:00:00:07',
        dns_name: 'printer.example',
        open_ports: '22,80',
        pingable: 1,
        ssh_banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
        os_guess: 'Debian 12',
        first_seen_at: AT,
        last_seen_at: AT,
        last_sweep_id: 'sw-1',
        device_id: null,
      },
    ],
  },
  '20261206T1403-client-push': {
    push_account: [
      {
        id: 'pa-1',
        name: 'root-key',
        user_name: 'root',
        auth_kind: 'key',
        secret: 'enc:v1:0123456789abcdef:sealed',
        passphrase: null,
        service_mode: 'systemd',
        created_at: AT,
        created_by: 'alice',
      },
    ],
    push_host_key: [
      {
        host: '10.0.0.7',
        port: 22,
        key_type: 'ssh-ed25519',
        fingerprint: 'SHA256:abc',
        first_seen_at: AT,
        last_seen_at: AT,
        refused_fingerprint: null,
      },
    ],
    push_job: [
      {
        id: 'pj-1',
        account_id: 'pa-1',
        account_name: 'root-key',
        source: 'collection',
        collection_id: 'c-1',
        created_at: AT,
        created_by: 'alice',
      },
    ],
    push_target: [
      {
        id: 'pt-1',
        job_id: 'pj-1',
        host: '10.0.0.7',
        port: 22,
        state: 'failed',
        attempts: 2,
        last_error_code: 'PUSH_UNREACHABLE',
        last_error: 'connect timed out',
        reason: null,
        next_attempt_at: AT,
        first_attempt_at: AT,
        device_id: null,
        token_id: null,
        claimed_by: null,
        created_at: AT,
        updated_at: AT,
      },
    ],
    push_attempt: [
      {
        id: 'pat-1',
        target_id: 'pt-1',
        number: 1,
        started_at: AT,
        finished_at: AT,
        outcome: 'failed',
        error_code: 'PUSH_UNREACHABLE',
        log: '2026-01-01T00:00:00Z connecting\n',
      },
    ],
  },
  '20261206T1404-client-health': {
    client_settings_object: [
      {
        id: 'cs-1',
        name: 'Data centre',
        description: 'daily hardware inventory',
        priority: 1,
        settings: JSON.stringify({ inventoryIntervalSeconds: 86_400 }),
        created_at: AT,
        updated_at: AT,
      },
    ],
    client_settings_assignment: [{ object_id: 'cs-1', collection_id: 'c-1', assigned_at: AT }],
    client_check_run: [
      {
        device_id: 'd-1',
        seq: 5_000_000_000,
        at: AT,
        trigger: 'nudge',
        mode: 'remediate',
        failed: 0,
        remediated: 1,
        results: JSON.stringify([{ check: 'outbox', outcome: 'remediated', detail: 'ok' }]),
        received_at: AT,
      },
    ],
    client_check_state: [
      {
        device_id: 'd-1',
        check_name: 'outbox',
        outcome: 'remediated',
        detail: 'ok',
        seq: 5_000_000_000,
        at: AT,
      },
    ],
  },
  '20261206T1405-agent-upgrades': {
    agent_upgrade: [
      {
        device_id: 'd-1',
        attempt_id: 'up-1',
        from_version: '1.0.0',
        to_version: '1.1.0',
        rollout: 'pre-production',
        state: 'rolled-back',
        scheduled_for: AT,
        started_at: AT,
        updated_at: AT,
        finished_at: AT,
        error_code: 'UPGRADE_NO_REPORT',
        reason: 'the new version did not report in',
        received_at: AT,
      },
    ],
  },
  '20261206T1407-client-status': {
    push_attempt: [
      {
        id: 'pat-2',
        target_id: 'pt-1',
        number: 2,
        started_at: AT,
        finished_at: AT,
        outcome: 'failed',
        error_code: 'PUSH_UNREACHABLE',
        log: '2026-01-01T00:00:00Z connecting\n',
        agent_version: '1.0.0',
      },
    ],
  },
  // Adds device columns only: d-1 (written after the initial migration) must stay readable.
  '20261206T1408-client-activity': {},
  '20261206T1409-collection-discovered-members': {
    discovered_collection_member: [
      { collection_id: 'c-1', address: '10.0.0.7', added_at: AT, added_by: 'alice' },
    ],
  },
  '20261206T2010-saved-views': {
    saved_view: [
      {
        id: 'v-1',
        list: 'devices',
        name: 'Servers',
        owner: 'alice',
        shared: 1,
        state: JSON.stringify({ columns: ['name', 'inventory.cpu.model'], sort: 'name' }),
        created_at: AT,
        updated_at: AT,
      },
    ],
    saved_view_default: [{ user_name: 'alice', list: 'devices', view_id: 'v-1' }],
  },
  '20261206T2020-push-channel-presence': {
    server_process: [{ id: 'p-1', started_at: AT, heartbeat_at: AT }],
  },
  '20261206T2030-discovered-member-rules': {
    discovered_collection_rule: [
      {
        id: 'dr-1',
        collection_id: 'c-1',
        kind: 'subnet',
        value: '10.0.0.0/24',
        added_at: AT,
        added_by: 'alice',
      },
    ],
  },
  '20261206T2050-update-catalog': {
    update_source: [
      {
        id: 'us-1',
        name: 'Debian security',
        url: 'http://127.0.0.1:9/debian-security',
        suite: 'bookworm-security',
        components: '["main"]',
        architectures: '["amd64"]',
        keyring: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
        sync_interval_hours: 168,
        enabled: 1,
        created_at: AT,
        created_by: 'alice',
        release_sha256: null,
        signed_by: null,
        last_sync_id: 'sync-1',
        last_sync_started_at: AT,
      },
    ],
    update_sync: [
      {
        id: 'sync-1',
        source_id: 'us-1',
        state: 'succeeded',
        trigger: 'manual',
        requested_by: 'alice',
        started_at: AT,
        progress_at: AT,
        finished_at: AT,
        indexes_total: 1,
        indexes_done: 1,
        packages_read: 2,
        added: 1,
        superseded: 0,
        failure: null,
        error: null,
      },
    ],
    software_update: [
      {
        id: 'u-1',
        source_id: 'us-1',
        package: 'openssl',
        version: '3.0.15-1~deb12u1',
        version_key: 'k',
        classification: 'security',
        binaries: '[]',
        first_seen_at: AT,
        superseded_at: null,
        superseded_by: null,
      },
    ],
  },
  '20261206T2300-software-update-binary': {
    software_update_binary: [
      {
        update_id: 'u-1',
        package: 'libssl3',
        arch: 'amd64',
        version: '3.0.15-1~deb12u1',
        version_key: 'k',
      },
    ],
  },
  '20261206T2301-software-update-version-key-collation': {
    software_update: [
      {
        id: 'u-2',
        source_id: 'us-1',
        package: 'openssl',
        version: '3.0.16-1~deb12u1',
        version_key: 'l',
        classification: 'security',
        binaries: '[]',
        first_seen_at: AT,
        superseded_at: null,
        superseded_by: null,
      },
    ],
  },
  '20261206T2320-agent-version-package': {
    agent_version: [
      {
        version: '1.3.0',
        created_at: AT,
        created_by: 'alice',
        size_bytes: 1000,
        package_id: 'p-1',
      },
    ],
  },
  '20261206T2340-update-catalog-versions': {
    update_catalog_version: [{ version: 1, created_at: AT, update_count: 1 }],
    update_catalog_member: [{ update_id: 'u-1', added_version: 1, removed_version: null }],
  },
  '20261206T2341-update-applicability': {
    update_applicability: [{ set_id: 'set-1', update_id: 'u-1', state: 'required' }],
    update_applicability_set: [{ set_id: 'set-1', catalog_version: 1, computed_at: AT }],
  },
  '20261206T2342-update-compliance': {
    update_scan: [
      {
        device_id: 'd-1',
        catalog_version: 1,
        kind: 'scheduled',
        state: 'succeeded',
        error: null,
        started_at: AT,
        finished_at: AT,
        received_at: AT,
        report_seq: 7,
      },
    ],
    update_compliance: [
      {
        device_id: 'd-1',
        update_id: 'u-1',
        state: 'required',
        hold: 'held',
        installed_at: null,
        first_detected_at: AT,
        scanned_at: AT,
      },
    ],
  },
  '20261206T2350-advisories': {
    advisory_feed: [
      {
        id: 'af-1',
        name: 'Tracker',
        format: 'debian-tracker',
        url: 'http://127.0.0.1/tracker.json',
        interval_hours: 24,
        created_at: AT,
        created_by: 'alice',
        etag: '"e1"',
        last_modified: null,
        sha256: 'abc',
        last_import_id: 'ai-1',
        last_import_at: AT,
      },
    ],
    advisory_import: [
      {
        id: 'ai-1',
        format: 'debian-tracker',
        feed_id: 'af-1',
        state: 'succeeded',
        requested_by: 'alice',
        started_at: AT,
        finished_at: AT,
        sha256: 'abc',
        advisories: 0,
        cves: 1,
        fixes: 1,
        updates_enriched: 1,
        error: null,
      },
    ],
    advisory: [
      {
        id: 'DSA-5678-1',
        kind: 'dsa',
        title: 'openssl - security update',
        description: '',
        severity: 'unknown',
        published_at: AT,
        cves: '["CVE-2024-1234"]',
        links: '[]',
        imported_at: AT,
      },
    ],
    cve: [{ id: 'CVE-2024-1234', description: 'a flaw', updated_at: AT }],
    cve_fix: [
      {
        cve_id: 'CVE-2024-1234',
        release: 'bookworm',
        package: 'openssl',
        origin: 'tracker',
        status: 'fixed',
        fixed_version: '3.0.15-1~deb12u1',
        fixed_key: 'k',
        severity: 'high',
      },
    ],
    update_advisory: [
      { update_id: 'u-1', cve_id: 'CVE-2024-1234', origin: 'tracker', severity: 'high' },
    ],
  },
  '20261207T0000-update-groups': {
    update_group: [
      {
        id: 'ug-1',
        name: 'December security',
        description: '',
        created_at: AT,
        created_by: 'alice',
        updated_at: AT,
      },
    ],
    update_group_member: [{ group_id: 'ug-1', update_id: 'u-1', position: 0, added_at: AT }],
  },
  '20261207T0010-report-custom': {
    report_custom: [
      {
        id: 'servers-by-name',
        title: 'Servers',
        description: '',
        category: 'custom',
        sql: 'select device_name from v_device',
        parameters: '[]',
        chart: null,
        refresh_minutes: 15,
        timeout_seconds: 10,
        created_by: 'alice',
        created_at: AT,
        updated_by: 'alice',
        updated_at: AT,
      },
    ],
  },
  '20261207T0010-report-views': {},
  '20261207T0020-driver-catalog': {
    content_file: [{ sha256: 'd'.repeat(64), size: 1024, created_at: AT }],
    driver: [
      {
        id: 'drv-1',
        package: 'firmware-e1000e',
        version: '1.0-1',
        architecture: 'amd64',
        description: 'test driver',
        categories: '["network"]',
        enabled: 1,
        sha256: 'd'.repeat(64),
        size: 1024,
        firmware_files: '[]',
        imported_at: AT,
        imported_by: 'alice',
      },
    ],
    driver_module: [
      {
        driver_id: 'drv-1',
        path: 'lib/modules/6.1.0/e1000e.ko',
        name: 'e1000e',
        kernel_release: '6.1.0',
        version: null,
        description: null,
        license: 'GPL',
        firmware: '[]',
      },
    ],
    driver_alias: [{ driver_id: 'drv-1', module: 'lib/modules/6.1.0/e1000e.ko', alias: 'pci:v*' }],
  },
  '20261207T0100-update-deployments': {
    update_deployment: [
      {
        id: 'udep-1',
        name: 'December security to web',
        group_id: 'ug-1',
        deployment_id: 'dep-1',
        package_id: 'pkg-1',
        repo_key: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
        options: '{"rehearsal":false}',
        created_at: AT,
        created_by: 'alice',
      },
    ],
    update_deployment_update: [
      { update_deployment_id: 'udep-1', update_id: 'u-1', position: 0, removed_at: null },
    ],
  },
  '20261207T0120-custom-updates': {
    custom_update: [
      {
        id: 'cu-1',
        title: 'Acme Agent 2.1',
        vendor: 'Acme',
        product: 'Agent',
        version: '2.1',
        classification: 'security',
        severity: 'high',
        description: '',
        refs: '{"cves":["CVE-2026-0001"],"links":[]}',
        detection: '{"match":"all","rules":[{"kind":"file-exists","path":"/opt/acme"}]}',
        applicability: null,
        install_program_id: 'prog-1',
        uninstall_program_id: null,
        created_at: AT,
        created_by: 'alice',
        updated_at: AT,
      },
    ],
  },
  '20261207T0150-update-report-views': {},
  // An index only: the device rows written before it stay readable through it.
  '20261207T0170-device-package-set-revoked': {},
  '20261207T0200-boot-images': {
    boot_image: [
      {
        id: 'bi-1',
        name: 'default-amd64',
        arch: 'amd64',
        version: 1,
        status: 'ready',
        progress: 100,
        progress_text: 'built',
        suite: 'bookworm',
        mirror: 'http://mirror.example.org/debian',
        extra_packages: '[]',
        driver_ids: '[]',
        site_url: 'https://site.example.org:8443',
        boot_key_sha256: 'e'.repeat(64),
        package_id: null,
        files: '[]',
        root_key: 'abc',
        created_at: AT,
        created_by: 'alice',
        built_at: AT,
      },
    ],
    imported_computer: [
      {
        id: 'ic-1',
        name: 'web-01',
        mac: '52:54:00:12:34:56',
        smbios_uuid: null,
        variables: '{"ROLE":"web"}',
        last_boot_at: null,
        created_at: AT,
        created_by: 'alice',
      },
    ],
    unknown_computer: [
      {
        id: 'uc-1',
        identity: '0b9e7c4e-5a1d-4a7e-9f3e-2b1c0d9e8f7a',
        smbios_uuid: '0b9e7c4e-5a1d-4a7e-9f3e-2b1c0d9e8f7a',
        macs: '["52:54:00:aa:bb:cc"]',
        arch: 'amd64',
        firmware: 'bios',
        modaliases: '[]',
        boot_image_id: 'bi-1',
        address: '10.0.2.15',
        first_seen: AT,
        last_seen: AT,
      },
    ],
  },
  '20261207T0240-task-sequences': {
    task_sequence: [
      {
        id: 'ts-1',
        name: 'Web server build',
        description: '',
        kind: 'non-os',
        version: 1,
        created_at: AT,
        updated_at: AT,
        updated_by: 'alice',
      },
    ],
    task_sequence_version: [
      {
        sequence_id: 'ts-1',
        version: 1,
        steps: '[]',
        variables: '{"Role":"web"}',
        step_count: 0,
        created_at: AT,
        created_by: 'alice',
      },
    ],
    collection_ts_variable: [{ target_id: 'c-1', name: 'Role', value: 'db' }],
    device_ts_variable: [{ target_id: 'd-1', name: 'Role', value: 'cache' }],
    task_sequence_deployment: [
      {
        id: 'tsd-1',
        name: 'Web server build',
        sequence_id: 'ts-1',
        version: 1,
        collection_id: 'c-1',
        purpose: 'required',
        available_at: null,
        deadline: AT,
        honor_windows: 1,
        created_at: AT,
        created_by: 'alice',
      },
    ],
    task_sequence_run: [
      {
        deployment_id: 'tsd-1',
        device_id: 'd-1',
        state: 'running',
        step_number: 1,
        step_count: 0,
        current_step: null,
        progress: '{}',
        updated_at: AT,
      },
    ],
  },
  '20261207T0310-update-rules': {
    update_rule: [
      {
        id: 'ur-1',
        name: 'Security monthly',
        description: '',
        filter: '{"classifications":["security"]}',
        group_mode: 'existing-group',
        group_id: null,
        collection_ids: '["c-1"]',
        phased: null,
        template: '{}',
        run_after_sync: 1,
        interval_hours: 0,
        enabled: 1,
        created_at: AT,
        created_by: 'alice',
        updated_at: AT,
        last_run_at: AT,
        last_run_id: 'urr-1',
        running_since: null,
      },
    ],
    update_rule_run: [
      {
        id: 'urr-1',
        rule_id: 'ur-1',
        trigger: 'sync',
        requested_by: 'system',
        started_at: AT,
        finished_at: AT,
        outcome: 'nothing-new',
        matched: 0,
        added: 0,
        group_id: null,
        deployment_ids: '[]',
        phased_deployment_id: null,
        error: null,
      },
    ],
    update_rollup: [{ source_id: 'us-1', group_id: 'ug-1', refreshed_at: AT }],
  },
  // A view only: nothing to write.
  '20261207T0320-update-deployment-status-view': {},
  '20261207T0330-custom-update-compliance': {
    custom_update_compliance: [
      {
        device_id: 'd-1',
        custom_update_id: 'cu-1',
        state: 'unknown',
        details: '["command timed out after 30 s"]',
        installed_at: null,
        first_detected_at: null,
        scanned_at: AT,
      },
    ],
  },
  '20261207T0331-catalog-version-custom-changed': {
    update_catalog_version: [{ version: 2, created_at: AT, update_count: 1, custom_changed: 1 }],
  },
  // Rows are counted from device (backfill and triggers): see the 20261207T0340 test below.
  '20261207T0340-package-set-device-count': {},
  '20261207T0350-task-sequence-deployments': {
    task_sequence_version: [
      {
        sequence_id: 'ts-1',
        version: 2,
        steps: '[]',
        variables: '{}',
        step_count: 0,
        created_at: AT,
        created_by: 'alice',
        boot_image_id: 'bi-1',
      },
    ],
    task_sequence_deployment: [
      {
        id: 'tsd-2',
        name: 'Bare metal',
        sequence_id: 'ts-1',
        version: 2,
        collection_id: 'c-1',
        purpose: 'available',
        available_at: null,
        deadline: null,
        honor_windows: 1,
        created_at: AT,
        created_by: 'alice',
        available_to: 'media-and-pxe',
        rerun: 'if-failed',
        enabled: 0,
        pxe_password: 'scrypt$32768$8$1$AAAA$AAAA',
        updated_at: AT,
      },
    ],
  },
  '20261207T0370-boot-image-heartbeat': {
    boot_image: [
      {
        id: 'bi-2',
        name: 'default-amd64',
        arch: 'amd64',
        version: 2,
        status: 'building',
        progress: 3,
        progress_text: 'debootstrap bookworm amd64',
        suite: 'bookworm',
        mirror: 'http://mirror.example.org/debian',
        extra_packages: '[]',
        driver_ids: '[]',
        site_url: 'https://site.example.org:8443',
        boot_key_sha256: 'f'.repeat(64),
        package_id: null,
        files: '[]',
        root_key: '',
        created_at: AT,
        created_by: 'alice',
        built_at: null,
        heartbeat_at: AT,
      },
    ],
  },
  '20261207T0371-dp-pxe': {
    distribution_point: [
      {
        id: 'dp-pxe',
        name: 'branch-pxe',
        description: '',
        url: null,
        registration_hash: null,
        registration_expires_at: null,
        key_hash: null,
        registered_at: null,
        last_seen_at: null,
        version: null,
        created_at: AT,
      },
    ],
    boundary_group: [
      { id: 'bg-pxe', name: 'pxe-lab', description: '', site_code: 'M01', created_at: AT },
    ],
    dp_pxe: [
      {
        dp_id: 'dp-pxe',
        enabled: 1,
        answer_bios: 1,
        answer_uefi: 0,
        respond_to_unknown: 1,
        response_delay_seconds: 2,
        http_port: 8080,
        server_address: '10.0.0.5',
        password_hash: null,
        updated_at: AT,
        updated_by: 'alice',
      },
    ],
    dp_pxe_boundary_group: [{ dp_id: 'dp-pxe', group_id: 'bg-pxe' }],
    dp_pxe_activity: [
      {
        dp_id: 'dp-pxe',
        at: AT,
        stage: 'script',
        client: '52:54:00:12:34:56',
        uuid: null,
        firmware: null,
        address: '10.0.0.20',
        answered: 1,
        detail: 'exit: nothing to run for this machine',
      },
    ],
  },
  '20261208T0420-custom-update-members': {
    update_group_custom_member: [
      { group_id: 'ug-1', custom_update_id: 'cu-1', position: 0, added_at: AT },
    ],
    update_deployment_custom_update: [
      { update_deployment_id: 'udep-1', custom_update_id: 'cu-1', position: 0, removed_at: null },
    ],
  },
  '20261208T0421-custom-updates-in-compliance-views': {},
  '20261208T0440-os-images': {
    os_image: [
      {
        id: 'osi-1',
        name: 'debian-12',
        version: 1,
        source: 'debootstrap',
        os_id: 'debian',
        os_version_id: '12',
        os_pretty_name: 'Debian GNU/Linux 12 (bookworm)',
        arch: 'amd64',
        manifest: '{}',
        archive_bytes: 300_000_000,
        used_bytes: 900_000_000,
        package_id: null,
        package_version_id: null,
        created_at: AT,
        created_by: 'alice',
      },
    ],
  },
  '20261208T0450-dp-multicast': {
    dp_multicast: [
      {
        dp_id: 'dp-pxe',
        enabled: 1,
        address_first: '239.255.42.1',
        address_last: '239.255.42.16',
        port_first: 9000,
        port_last: 9015,
        min_clients: 3,
        start_timeout_seconds: 60,
        max_rate_mbps: 100,
        updated_at: AT,
        updated_by: 'alice',
      },
    ],
    dp_multicast_session: [
      {
        dp_id: 'dp-pxe',
        id: 'mcs-1',
        sha256: 'f'.repeat(64),
        file_bytes: 4_194_304,
        address: '239.255.42.1',
        port: 9000,
        state: 'finished',
        clients: 3,
        receivers: 3,
        bytes_sent: 4_300_000,
        created_at: AT,
        started_at: AT,
        ended_at: AT,
        detail: '',
      },
    ],
  },
  '20261208T0460-media': {
    media: [
      {
        id: 'media-1',
        name: 'lab-usb',
        kind: 'bootable',
        status: 'ready',
        progress: 100,
        progress_text: 'ready',
        boot_image_id: 'bi-2',
        boot_image_name: 'default-amd64',
        boot_image_version: 2,
        site_url: 'https://site.example.org:8443',
        kernel_args: 'console=ttyS0 steward.site=https://site.example.org:8443',
        size: 20_467_712,
        sha256: 'd'.repeat(64),
        created_at: AT,
        created_by: 'alice',
        built_at: AT,
        heartbeat_at: AT,
      },
    ],
  },
  '20261208T0470-custom-updates-in-deployment-status-view': {},
  '20261208T0490-os-image-builds': {
    os_image_build: [
      {
        id: 'oib-1',
        name: 'Debian bookworm',
        release: 'bookworm',
        arch: 'amd64',
        mirror: 'http://mirror.example.org/debian',
        status: 'ready',
        progress: 100,
        progress_text: 'ready',
        from_cache: 1,
        os_image_id: 'osi-1',
        os_image_version: 3,
        created_at: AT,
        created_by: 'alice',
        finished_at: AT,
        heartbeat_at: AT,
      },
    ],
  },
  '20261208T0510-primary-users': {
    device_primary_user: [
      {
        device_id: 'd-1',
        user_name: 'alice',
        source: 'administrator',
        set_at: AT,
        set_by: 'admin',
      },
    ],
  },
  '20261208T0550-user-state': {
    dp_state_migration: [
      {
        dp_id: 'dp-pxe',
        enabled: 1,
        storage_folder: '/var/lib/steward/smp',
        max_clients: 100,
        retention_days: 1,
        min_free_mib: 1024,
        updated_at: AT,
        updated_by: 'admin',
      },
    ],
    user_state_record: [
      {
        id: '00000000-0000-4000-8000-000000000550',
        source_computer_id: 'uc-1',
        source_name: 'old-pc',
        destination_computer_id: 'd-1',
        destination_name: 'new-pc',
        state: 'captured',
        store: 'state-migration-point',
        dp_id: 'dp-pxe',
        sealed_key: 'enc:v1:0123456789abcdef:iv:tag:body',
        size_bytes: 5_000_000_000,
        sha256: 'a'.repeat(64),
        created_at: AT,
        captured_at: AT,
        restored_at: null,
        expired_at: null,
      },
    ],
    computer_association: [
      {
        id: 'ca-1',
        source_computer_id: 'uc-1',
        source_kind: 'unknown',
        source_name: 'old-pc',
        destination_computer_id: 'd-1',
        destination_kind: 'device',
        destination_name: 'new-pc',
        created_at: AT,
        created_by: 'admin',
      },
    ],
  },
  '20261208T0570-media-kinds': {
    media: [
      {
        id: 'media-2',
        name: 'branch-standalone',
        kind: 'standalone',
        status: 'ready',
        progress: 100,
        progress_text: 'ready',
        boot_image_id: 'bi-2',
        boot_image_name: 'default-amd64',
        boot_image_version: 2,
        site_url: 'https://site.example.org:8443',
        kernel_args:
          'console=ttyS0 steward.site=https://site.example.org:8443 steward.media=standalone',
        task_sequence_id: 'ts-1',
        task_sequence_name: 'Install Debian',
        task_sequence_version: 3,
        os_image_id: null,
        os_image_name: null,
        os_image_version: null,
        capture_image_name: null,
        password_protected: 1,
        content_bytes: 612_000_000,
        size: 640_000_000,
        sha256: null,
        created_at: AT,
        created_by: 'alice',
        built_at: AT,
        heartbeat_at: AT,
      },
    ],
  },
  '20261208T0600-deployment-restart-need': {},
  '20261208T0610-update-publish-dates': {},
  '20261208T0620-upgrade-packages': {
    upgrade_package: [
      {
        id: 'up-1',
        name: 'Bookworm to trixie',
        description: '',
        from_codename: 'bookworm',
        from_version: '12',
        target_codename: 'trixie',
        target_version: '13',
        sources: '[{"url":"http://deb.debian.org/debian","suite":"trixie","components":["main"]}]',
        keyring: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
        options:
          '{"allowedRemovals":[],"downloadOnlyFirst":true,"freeSpaceMiB":4096,"maxDowntimeMinutes":60}',
        created_at: AT,
        updated_at: AT,
        updated_by: 'admin',
      },
    ],
  },
  '20261208T0700-task-sequence-boot-runs': {
    task_sequence_boot_run: [
      {
        deployment_id: 'tsd-1',
        computer_id: 'uc-1',
        computer_kind: 'unknown',
        computer_name: '52:54:00:12:34:56',
        smbios_uuid: null,
        macs: '["52:54:00:12:34:56"]',
        device_id: 'd-1',
        state: 'failed',
        step_number: 2,
        step_count: 3,
        current_step: null,
        progress: '{}',
        updated_at: AT,
      },
    ],
  },
  '20261208T0710-driver-content-package': {
    driver: [
      {
        id: 'drv-2',
        package: 'firmware-r8152',
        version: '2.0-1',
        architecture: 'amd64',
        description: 'test driver with its content package',
        categories: '[]',
        enabled: 1,
        sha256: 'd'.repeat(64),
        size: 1024,
        firmware_files: '[]',
        imported_at: AT,
        imported_by: 'alice',
        package_id: 'pkg-drv-2',
        package_version_id: 'pv-drv-2',
      },
    ],
  },
  '20261208T0740-media-capture-key': {
    media: [
      {
        id: 'media-3',
        name: 'capture-usb',
        kind: 'capture',
        status: 'ready',
        progress: 100,
        progress_text: 'ready',
        boot_image_id: 'bi-2',
        boot_image_name: 'default-amd64',
        boot_image_version: 2,
        site_url: 'https://site.example.org:8443',
        kernel_args: 'steward.site=https://site.example.org:8443 steward.media=capture',
        task_sequence_id: null,
        task_sequence_name: null,
        task_sequence_version: null,
        os_image_id: null,
        os_image_name: null,
        os_image_version: null,
        capture_image_name: 'Reference laptop',
        capture_key_sha256: 'a'.repeat(64),
        capture_key_expires_at: AT,
        password_protected: 1,
        content_bytes: null,
        size: 540_000_000,
        sha256: null,
        created_at: AT,
        created_by: 'alice',
        built_at: AT,
        heartbeat_at: AT,
      },
    ],
  },
};

/** A stored row as written: json parsed (jsonb comes back parsed), int8 as a number. */
function normalised(table: keyof Database, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const sqlType = tables[table][column]?.sql;
    out[column] =
      sqlType === 'json' && typeof value === 'string'
        ? JSON.parse(value)
        : sqlType === 'bigint' && typeof value === 'string'
          ? Number(value)
          : value;
  }
  return out;
}

/** This site's tables (on PostgreSQL the introspection lists every test's schema). */
async function ownTables(db: Db) {
  const all = await db.kysely.introspection.getTables();
  return all.filter((t) => db.pgSchema === undefined || t.schema === db.pgSchema);
}

async function insertRows(db: Kysely<Database>, rows: Rows): Promise<void> {
  for (const [table, values] of Object.entries(rows)) {
    for (const value of values) {
      await db
        .insertInto(table as keyof Database)
        .values(value as never)
        .execute();
    }
  }
}

/**
 * Runs a migrator call, on PostgreSQL under the migrations' advisory lock as migrateToLatest
 * does: Kysely's migrator introspects every schema of the database, and a test file running
 * beside this one drops its schema under that lock (dropTestSchema); without it a step fails
 * with "schema t_... does not exist" naming the other test's schema.
 */
async function locked<T>(db: Db, run: (migrator: Migrator) => Promise<T>): Promise<T> {
  const migrator = createMigrator(db);
  if (db.dialect !== 'postgres') return run(migrator);
  return db.kysely.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATIONS_LOCK_ID})`.execute(conn);
    try {
      return await run(migrator);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATIONS_LOCK_ID})`.execute(conn);
    }
  });
}

/** Migrates up to `name` (one step at a time in the tests below), under the lock. */
const stepTo = (db: Db, name: string): Promise<MigrationResultSet> =>
  locked(db, (m) => m.migrateTo(name));

describe.each(testDialects)('migrations (%s)', (dialect) => {
  let db: Db | undefined;
  let cleanup = () => Promise.resolve();

  beforeEach(async () => {
    if (dialect === 'postgres' && !(await postgresReachable())) {
      console.warn('PostgreSQL unreachable: migrations not tested on PostgreSQL');
      return;
    }
    const fresh = freshDatabaseUrl(dialect);
    db = await openDatabase(fresh.url);
    const opened = db;
    cleanup = async () => {
      await opened.close();
      await fresh.cleanup();
    };
  });
  afterEach(() => cleanup());

  it('every migration has rows to upgrade with', () => {
    expect(Object.keys(rowsAfter)).toEqual(Object.keys(migrations(dialect)));
  });

  it('runs every migration from empty, and a second run changes nothing', async () => {
    if (!db) return;
    const first = await locked(db, (m) => m.migrateToLatest());
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(migrations(dialect)).map((name) => [name, 'Success']),
    );
    const tablesBefore = await ownTables(db);
    const second = await locked(db, (m) => m.migrateToLatest());
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual([]);
    await migrateToLatest(db); // the server's own entry point agrees
    expect(await ownTables(db)).toEqual(tablesBefore);
  });

  it('every version_key column compares bytes (dpkg order), whatever the database collation', async () => {
    if (!db || dialect !== 'postgres') return;
    await migrateToLatest(db);
    const { rows } = await sql<{ table_name: string; collation_name: string | null }>`
      select table_name, collation_name from information_schema.columns
      where table_schema = current_schema() and column_name = 'version_key'
      order by table_name`.execute(db.kysely);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.collation_name !== 'C')).toEqual([]);
  });

  it('20261206T2300 copies the binaries of existing updates into rows', async () => {
    if (!db) return;
    expect((await stepTo(db, '20261206T2050-update-catalog')).error).toBeUndefined();
    await insertRows(db.kysely, {
      update_source: rowsAfter['20261206T2050-update-catalog']?.update_source ?? [],
      software_update: [
        {
          id: 'u-9',
          source_id: 'us-1',
          package: 'openssl',
          version: '3.0.15-1~deb12u1',
          version_key: 'k',
          classification: 'security',
          binaries: JSON.stringify([
            { package: 'libssl3', version: '3.0.15-1~deb12u1', architecture: 'amd64' },
            { package: 'openssl', version: '3.0.15-1~deb12u1+b1', architecture: 'amd64' },
          ]),
          first_seen_at: AT,
          superseded_at: null,
          superseded_by: null,
        },
      ],
    });
    await migrateToLatest(db);
    const rows = await db.kysely
      .selectFrom('software_update_binary')
      .selectAll()
      .orderBy('package')
      .execute();
    expect(rows).toEqual([
      {
        update_id: 'u-9',
        package: 'libssl3',
        arch: 'amd64',
        version: '3.0.15-1~deb12u1',
        version_key: debianVersionKey('3.0.15-1~deb12u1'),
      },
      {
        update_id: 'u-9',
        package: 'openssl',
        arch: 'amd64',
        version: '3.0.15-1~deb12u1+b1',
        version_key: debianVersionKey('3.0.15-1~deb12u1+b1'),
      },
    ]);
  });

  it('20261207T0340 counts the devices holding each package set, then keeps the count', async () => {
    if (!db) return;
    const { kysely } = db;
    for (const [name, rows] of Object.entries(rowsAfter)) {
      if (name >= '20261207T0340') break;
      expect((await stepTo(db, name)).error, `migration ${name}`).toBeUndefined();
      await insertRows(db.kysely, rows);
    }
    await migrateToLatest(db);
    const counts = () =>
      kysely.selectFrom('package_set_device_count').selectAll().orderBy('set_id').execute();
    expect(await counts()).toEqual([{ set_id: 'set-1', devices: 1 }]);
    const device = { name: 'web-09', key_hash: 'k', enrolled_at: AT, package_set_id: 'set-1' };
    await db.kysely
      .insertInto('device')
      .values([
        { id: 'd-9', ...device },
        { id: 'd-10', ...device, revoked_at: AT },
      ])
      .execute();
    expect(await counts()).toEqual([{ set_id: 'set-1', devices: 2 }]);
    await db.kysely.updateTable('device').set({ revoked_at: AT }).where('id', '=', 'd-1').execute();
    await db.kysely
      .updateTable('device')
      .set({ package_set_id: null })
      .where('id', '=', 'd-9')
      .execute();
    expect(await counts()).toEqual([{ set_id: 'set-1', devices: 0 }]);
  });

  it('upgrades a database holding data written after each earlier migration', async () => {
    if (!db) return;
    for (const [name, rows] of Object.entries(rowsAfter)) {
      const step = await stepTo(db, name);
      expect(step.error, `migration ${name}`).toBeUndefined();
      await insertRows(db.kysely, rows);
    }
    await migrateToLatest(db);
    // A table may be written after several migrations (a later one adds a column to it).
    const writtenTo = new Map<string, Record<string, unknown>[]>();
    for (const rows of Object.values(rowsAfter))
      for (const [name, written] of Object.entries(rows))
        writtenTo.set(name, [...(writtenTo.get(name) ?? []), ...written]);
    for (const [name, written] of writtenTo) {
      const table = name as keyof Database;
      const stored = await db.kysely.selectFrom(table).selectAll().execute();
      expect(
        stored.map((r) => normalised(table, checkRow(table, 'upgrade', r))),
        `rows of ${table}`,
      ).toEqual(written.map((w) => expect.objectContaining(normalised(table, w))));
    }
  });
});
