import { createQuery } from '@urql/solid';
import { Show } from 'solid-js';
import { useSession } from '../auth/session';
import { Alert, Loading, QueryError } from '../components/alert';
import { graphql } from '../gql';
import { ApiKeySettings } from './api-key-settings';
import { MemberSettings } from './member-settings';
import { SessionTypeSettings } from './session-type-settings';
import { TeamSettings } from './team-settings';
import { TemplateSettings } from './template-settings';

const SettingsDocument = graphql(`
  query Settings {
    team {
      id
      name
      cancelWindowHours
      lowCreditThreshold
      members {
        id
        name
        email
        role
        removed
      }
    }
    invitations {
      id
      email
      role
      expiresAt
      invitedBy {
        name
      }
    }
    packageTemplates {
      id
      name
      credits
      priceCents
      expiryDays
      sessionType {
        id
        name
      }
    }
    sessionTypes(includeArchived: true) {
      id
      name
      durationMinutes
      requiresCredits
      locked
      archived
    }
    apiKeys {
      id
      name
      prefix
      scope
      createdAt
      lastUsedAt
      revokedAt
      createdBy {
        id
        name
      }
    }
  }
`);

export default function SettingsPage() {
  const session = useSession();
  const [settings, refetch] = createQuery({ query: SettingsDocument });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <div class="stack-lg">
      <h1>Settings</h1>
      <Show
        when={session.isManager()}
        fallback={<Alert tone="info">Only owners and admins can change the team's settings.</Alert>}
      >
        <QueryError error={settings.error} retry={reload} />
        <Show when={settings.data} fallback={<Show when={!settings.error}>{<Loading />}</Show>}>
          {(data) => (
            <>
              <TeamSettings team={data().team} onSaved={reload} />
              <SessionTypeSettings sessionTypes={data().sessionTypes} onChanged={reload} />
              <TemplateSettings
                templates={data().packageTemplates}
                sessionTypes={data().sessionTypes.filter((t) => !t.archived)}
                onChanged={reload}
              />
              <MemberSettings
                members={data().team.members.filter((m) => !m.removed)}
                invitations={data().invitations}
                me={session.me()?.member}
                onChanged={reload}
              />
              <ApiKeySettings keys={data().apiKeys} onChanged={reload} />
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
