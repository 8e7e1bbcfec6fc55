import { gql, useQuery, ApolloClient, InMemoryCache } from '@apollo/client';

export const GET_USER = gql`
  query GetUser($id: ID!) {
    user(id: $id) {
      id
      name
      media(first: 10) { edges { node { id url mediaType } } }
    }
  }
`;

export const UPDATE_USER = gql`
  mutation UpdateUser($id: ID!, $name: String!) {
    updateUser(id: $id, input: { name: $name }) { id name }
  }
`;

const client = new ApolloClient({ uri: '/graphql', cache: new InMemoryCache() });

export async function loadUser(id: string) {
  const { data } = await client.query({ query: GET_USER, variables: { id } });
  return data.user;
}

export function useUser(id: string) {
  return useQuery(GET_USER, { variables: { id } });
}

export const RAW = `query { viewer { select: login } }`;
export const selector = 'select[name="kind"] > option:checked';
export const sqlLikeCss = 'update-banner from-top';
